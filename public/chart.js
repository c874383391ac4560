// The live chart page: history from the REST API, then live bars over the WebSocket
// protocol, drawn with lightweight-charts. Plain ES module, no build step.
import { CandlestickSeries, createChart, HistogramSeries } from '/vendor/lightweight-charts/lightweight-charts.standalone.production.mjs';

const HISTORY_BARS = 300;
const METRICS_EVERY_MS = 2000;
const RECONNECT_MAX_MS = 10000;

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const chart = createChart($('chart'), {
  autoSize: true,
  layout: { background: { color: '#131722' }, textColor: '#d1d4dc' },
  grid: { vertLines: { color: '#1f2430' }, horzLines: { color: '#1f2430' } },
  timeScale: { timeVisible: true, secondsVisible: false },
});
const candles = chart.addSeries(CandlestickSeries, {});
candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
const volume = chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, color: '#2962ff55' });
chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });

/** What the page shows, exposed for the end-to-end test and for curious developers. */
const page = {
  topic: undefined,
  status: 'connecting',
  historyBars: 0,
  updates: 0,
  lastBar: undefined,
  candles: () => candles.data(),
};
window.barcast = page;

const toCandle = (bar) => ({ time: bar.time / 1000, open: bar.open, high: bar.high, low: bar.low, close: bar.close });
const toVolume = (bar) => ({ time: bar.time / 1000, value: bar.volume, color: bar.close >= bar.open ? '#26a69a55' : '#ef535055' });

function setStatus(status) {
  page.status = status;
  $('status').textContent = status;
  $('status').className = `status ${status}`;
}

function showList(element, entries) {
  element.replaceChildren(
    ...entries.flatMap(([name, value]) => {
      const term = document.createElement('dt');
      term.textContent = name;
      const detail = document.createElement('dd');
      detail.textContent = String(value);
      return [term, detail];
    }),
  );
}

function showBar(bar) {
  page.lastBar = bar;
  const time = new Date(bar.time).toISOString().replace('T', ' ').slice(0, 16);
  showList($('last-bar'), [['time (UTC)', time], ['open', bar.open], ['high', bar.high], ['low', bar.low], ['close', bar.close], ['volume', bar.volume]]);
}

async function getJson(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`);
  return body;
}

let socket;
let attempt = 0;
let ready = false; // history of the current topic is drawn: live bars may follow

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function subscribe(symbol, resolution) {
  send({ type: 'bars.subscribe', payload: { symbol, params: { resolution } } });
}

function connectSocket() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // A server with AUTH_TOKENS takes the token in the query, the one way a browser can send it.
  const token = params.get('token');
  socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  socket.onopen = () => {
    attempt = 0;
    setStatus('open');
    if (ready) subscribe(page.topic.symbol, page.topic.resolution);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== 'bars.update' || !ready || message.topic !== page.topic.key) return;
    const bar = message.payload;
    if (page.lastBar && bar.time < page.lastBar.time) return; // the chart only moves forward
    candles.update(toCandle(bar));
    volume.update(toVolume(bar));
    page.updates += 1;
    showBar(bar);
  };
  socket.onclose = () => {
    setStatus('reconnecting');
    attempt += 1;
    const delay = Math.min(RECONNECT_MAX_MS, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
    setTimeout(connectSocket, delay);
  };
}

async function show(symbol, resolution) {
  if (page.topic) send({ type: 'bars.unsubscribe', payload: { symbol: page.topic.symbol, params: { resolution: page.topic.resolution } } });
  ready = false;
  page.topic = { symbol, resolution, key: `bars:${symbol}:${resolution}` };
  page.updates = 0;
  page.lastBar = undefined;
  const query = new URLSearchParams({ symbol, resolution, countback: String(HISTORY_BARS), to: String(Date.now()) });
  const { bars } = await getJson(`/api/v1/bars?${query}`);
  if (page.topic.key !== `bars:${symbol}:${resolution}`) return; // the user picked another meanwhile
  candles.setData(bars.map(toCandle));
  volume.setData(bars.map(toVolume));
  page.historyBars = bars.length;
  if (bars.length > 0) showBar(bars[bars.length - 1]);
  chart.timeScale().scrollToRealTime();
  ready = true;
  subscribe(symbol, resolution);
}

async function pollMetrics() {
  try {
    const metrics = await getJson('/api/v1/broadcaster/metrics');
    showList($('metrics'), [
      ['running', metrics.is_running ? 'yes' : 'no'],
      ['clients', metrics.clients],
      ['active topics', metrics.active_topics],
      ['subscriptions', metrics.subscriptions],
      ['updates', metrics.updates_generated],
      ['messages sent', metrics.messages_sent],
      ['errors', metrics.errors],
    ]);
  } catch {
    // The server is away; the status badge already says so.
  }
}

function fillSelect(select, values, chosen) {
  select.replaceChildren(
    ...values.map((value) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = value;
      option.selected = value === chosen;
      return option;
    }),
  );
}

async function start() {
  const [config, symbols] = await Promise.all([getJson('/api/v1/udf/config'), getJson('/api/v1/udf/search?query=&limit=100')]);
  const symbolNames = symbols.map((item) => item.symbol);
  const resolutions = config.supported_resolutions;
  const symbol = symbolNames.includes(params.get('symbol')) ? params.get('symbol') : symbolNames[0];
  const resolution = resolutions.includes(params.get('resolution')) ? params.get('resolution') : resolutions[0];
  fillSelect($('symbol'), symbolNames, symbol);
  fillSelect($('resolution'), resolutions, resolution);
  const onPick = () => show($('symbol').value, $('resolution').value);
  $('symbol').addEventListener('change', onPick);
  $('resolution').addEventListener('change', onPick);
  connectSocket();
  await show(symbol, resolution);
  pollMetrics();
  setInterval(pollMetrics, METRICS_EVERY_MS);
}

start().catch((error) => {
  setStatus('closed');
  $('status').textContent = `error: ${error.message}`;
});
