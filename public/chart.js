// The live chart page: history from the REST API, then live bars from the typed client
// (`barcast/client`, bundled by `npm run build`), drawn with lightweight-charts. The client
// reconnects, resumes and reloads gaps, so this page keeps no reconnect logic of its own.
import { connect } from '/vendor/barcast/barcast-client.js';
import { CandlestickSeries, createChart, HistogramSeries } from '/vendor/lightweight-charts/lightweight-charts.standalone.production.mjs';

const HISTORY_BARS = 300;
const METRICS_EVERY_MS = 2000;

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
  /** The topic's state from the client: phase (live, resuming, reloading), stale, reloads, lost. */
  topicState: undefined,
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
  const token = pageToken();
  const response = await fetch(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = await response.json();
  if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`);
  return body;
}

/**
 * A server with tokens takes one from the page's fragment (`#token=...`, never sent to the
 * server nor logged) or, as before, its query; the client presents it as a subprotocol.
 */
function pageToken() {
  return new URLSearchParams(location.hash.slice(1)).get('token') ?? params.get('token') ?? undefined;
}

const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
/** With WS_ENGINE=uws the WebSocket has its own port; the server says which (null: this origin). */
async function webSocketHost() {
  const { port } = await fetch('/api/v1/ws/endpoint').then((response) => (response.ok ? response.json() : {}), () => ({}));
  return typeof port === 'number' ? `${location.hostname}:${port}` : location.host;
}
const client = connect(`${scheme}://${await webSocketHost()}/api/v1/ws`, { ...(pageToken() ? { token: pageToken } : {}) });
client.status$.subscribe(setStatus);
window.barcastClient = client;

let live; // the subscriptions of the topic on screen

async function show(symbol, resolution) {
  live?.unsubscribe();
  const key = `bars:${symbol}:${resolution}`;
  page.topic = { symbol, resolution, key };
  page.updates = 0;
  page.lastBar = undefined;
  const query = new URLSearchParams({ symbol, resolution, countback: String(HISTORY_BARS) });
  const { bars } = await getJson(`/api/v1/bars?${query}`);
  if (page.topic.key !== key) return; // the user picked another meanwhile
  candles.setData(bars.map(toCandle));
  volume.setData(bars.map(toVolume));
  page.historyBars = bars.length;
  if (bars.length > 0) showBar(bars[bars.length - 1]);
  chart.timeScale().scrollToRealTime();
  // Resume after the second newest history bar (final however history treats the newest):
  // whatever closed between the history request and the subscribe is replayed.
  const since = bars.length > 1 ? bars[bars.length - 2].time : undefined;
  live = client.bars$(symbol, resolution, since === undefined ? {} : { since }).subscribe({
    next(bar) {
      candles.update(toCandle(bar));
      volume.update(toVolume(bar));
      page.updates += 1;
      showBar(bar);
    },
    error(error) {
      $('status').textContent = `error: ${error.message}`;
    },
  });
  let lost;
  live.add(
    client.state$(symbol, resolution).subscribe((state) => {
      page.topicState = state;
      $('status').title = state.stale ? 'the server says this topic is stale' : state.phase;
      // A gap neither the server nor the client could fill: draw the history again.
      if (lost !== undefined && state.lost > lost) show(symbol, resolution);
      lost = state.lost;
    }),
  );
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
  await show(symbol, resolution);
  pollMetrics();
  setInterval(pollMetrics, METRICS_EVERY_MS);
}

start().catch((error) => {
  setStatus('closed');
  $('status').textContent = `error: ${error.message}`;
});
