import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { promtool, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { testApps, isType, TestClient } from '../../src/testing/index.js';
import { dataDirs, ingestConfig, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const apps = testApps();
const dirs = dataDirs();
let prometheus: PrometheusServer | undefined;
afterEach(async () => {
  await prometheus?.stop();
  prometheus = undefined;
  await apps.stopAll();
  dirs.removeAll();
});

/** The samples of an exposition text, as `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match?.[1] && match[2]) map.set(match[1], Number(match[2]));
  }
  return map;
}

async function scrape(httpUrl: string): Promise<{ contentType: string | null; text: string }> {
  const response = await fetch(`${httpUrl}/metrics`);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

describe('GET /metrics', () => {
  it('passes promtool check metrics, with counters, gauges, histograms and the default process metrics', async () => {
    const { wsUrl, httpUrl } = await apps.start({ config: { broadcaster: { interval: 0.02 } } });
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL');
    await client.waitFor(isType('bars.update'));
    client.send('not json');
    await client.waitFor(isType('error'));

    const { contentType, text } = await scrape(httpUrl);
    expect(contentType).toContain('text/plain; version=0.0.4');
    const checked = await promtool(['check', 'metrics'], text);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);
    for (const type of [
      'barcast_broadcasts_sent_total counter',
      'barcast_connections gauge',
      'barcast_update_delivery_delay_seconds histogram',
      'barcast_socket_send_buffer_bytes histogram',
      'barcast_redis_publish_lag_seconds histogram',
      'barcast_redis_lease_changes_total counter',
      'process_cpu_seconds_total counter',
      'nodejs_eventloop_lag_seconds gauge',
    ]) {
      expect(text).toContain(`# TYPE ${type}`);
    }
    const values = samples(text);
    expect(values.get('barcast_messages_rejected_total{code="INVALID_JSON"}')).toBe(1);
    expect(values.get('barcast_update_delivery_delay_seconds_count')).toBeGreaterThan(0);
    expect(values.get('barcast_socket_send_buffer_bytes_count')).toBe(values.get('barcast_update_delivery_delay_seconds_count'));
    await client.close();
  });

  it('counts published trades by outcome, their commits, and the trades waiting for one', async () => {
    const { httpUrl, connect } = await apps.start({ config: ingestConfig(dirs.make(), { latenessMs: 60_000 }) });
    const publisher = await connect({ headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } });
    const now = Date.now();
    const trade = (id: string, extra: Record<string, unknown> = {}) => ({ symbol: 'ACME', price: 10, size: 1, time: now, id, ...extra });
    expect((await publishOverWs(publisher, [trade('a'), trade('b'), trade('c', { size: -1 }), trade('d', { symbol: 'NOPE' })])).accepted).toBe(2);
    expect((await publishOverWs(publisher, [trade('a'), trade('e')])).duplicates).toBe(1);
    // Over HTTP too: both ways in are counted where they are answered.
    const posted = await fetch(`${httpUrl}/api/v1/trades`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PUBLISH_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([trade('f')]),
    });
    expect(posted.status).toBe(200);

    const { text } = await scrape(httpUrl);
    const checked = await promtool(['check', 'metrics'], text);
    expect(checked.output).toBe('');
    const values = samples(text);
    expect(values.get('barcast_trades_total{outcome="accepted"}')).toBe(4);
    expect(values.get('barcast_trades_total{outcome="duplicate"}')).toBe(1);
    expect(values.get('barcast_trades_total{outcome="NEGATIVE_SIZE"}')).toBe(1);
    expect(values.get('barcast_trades_total{outcome="UNKNOWN_SYMBOL"}')).toBe(1);
    // Three publishes, each committed on its own (the store was free each time): five trades written, one of them a duplicate.
    expect(values.get('barcast_ingest_commit_seconds_count')).toBe(3);
    expect(values.get('barcast_ingest_committed_trades_total')).toBe(5);
    expect(values.get('barcast_ingest_pending_trades')).toBe(0);
    await publisher.close();
  });

  it('says what the JSON snapshot says: both read the same state', async () => {
    // A long interval: no tick between the two reads.
    const { app, wsUrl, httpUrl } = await apps.start({ config: { broadcaster: { interval: 600 }, limits: { maxConnections: 2 } } });
    const [first, second] = [await TestClient.connect(wsUrl), await TestClient.connect(wsUrl)];
    await expect(TestClient.connect(wsUrl)).rejects.toThrow(/HTTP 503/);
    first.subscribeBars('AAPL');
    second.subscribeBars('AAPL');
    second.subscribeBars('MSFT');
    second.subscribeBars('NOPE');
    await second.waitFor((message) => message.type === 'bars.subscribe.response' && message.payload?.['status'] === 'error');
    await first.waitFor(isType('bars.subscribe.response'));

    const json = app.metrics();
    const values = samples((await scrape(httpUrl)).text);
    expect(json).toMatchObject({ clients: 2, subscriptions: 3, active_topics: 2, connections_refused: 1 });
    expect(values.get('barcast_connections')).toBe(json.clients);
    expect(values.get('barcast_subscriptions')).toBe(json.subscriptions);
    expect(values.get('barcast_topics_active')).toBe(json.active_topics);
    expect(values.get('barcast_connections_refused_total{status="503"}')).toBe(json.connections_refused);
    expect(values.get('barcast_messages_rejected_total{code="UNKNOWN_SYMBOL"}')).toBe(json.messages_rejected.UNKNOWN_SYMBOL);
    expect(values.get('barcast_broadcasts_sent_total')).toBe(json.broadcasts_sent);
    expect(values.get('barcast_updates_generated_total')).toBe(json.updates_generated);
    expect(values.get('barcast_broadcaster_running')).toBe(1);
    await Promise.all([first.close(), second.close()]);
  });

  it('is scraped by a real Prometheus, which serves a barcast series back through its query API', async () => {
    const { wsUrl, address } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL');
    await client.waitFor(isType('bars.subscribe.response'));
    prometheus = await startPrometheus(`127.0.0.1:${address.port}`);
    let result: Awaited<ReturnType<PrometheusServer['query']>> = [];
    const deadline = Date.now() + 15_000;
    while (result.length === 0 && Date.now() < deadline) {
      result = await prometheus.query('barcast_subscriptions{job="barcast"}');
      if (result.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(result).toHaveLength(1);
    expect(result[0]?.metric).toMatchObject({ __name__: 'barcast_subscriptions', job: 'barcast', instance: `127.0.0.1:${address.port}` });
    expect(Number(result[0]?.value[1])).toBe(1);
    const up = await prometheus.query('up{job="barcast"}');
    expect(up[0]?.value[1]).toBe('1');
    await client.close();
  });
});

describe('the alert rules in docs/prometheus-alerts.yml', () => {
  it('pass promtool check rules', async () => {
    const checked = await promtool(['check', 'rules', `${DOCS}prometheus-alerts.yml`]);
    expect(checked.output).toContain('SUCCESS: 4 rules found');
    expect(checked.code).toBe(0);
  });

  it('fire on the series they are written for (promtool test rules)', async () => {
    const tested = await promtool(['test', 'rules', `${DOCS}prometheus-alerts.test.yml`]);
    expect(tested.output).toContain('SUCCESS');
    expect(tested.code).toBe(0);
  });
});
