import { readFileSync } from 'node:fs';
import { NEVER } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { openedTopic, testBarsKind } from '../support/bars-kind.js';
import { smaTopicKind } from '../../docs/examples/sma-topic.js';
import { Hub } from '../../src/streams/hub.js';
import { isType, isUpdateOf, marbleScheduler, mockSeries, testApps, TestClient } from '../../src/testing/index.js';
import { vitestEqual } from '../support/vitest-equal.js';

const SYMBOLS = ['AAPL', 'GOOGL', 'MSFT'];
const apps = testApps();
afterEach(() => apps.stopAll());

describe('the docs/extending.md recipe (docs/examples/sma-topic.ts)', () => {
  it('is quoted verbatim in docs/extending.md, in under 30 lines', () => {
    const code = readFileSync(new URL('../../docs/examples/sma-topic.ts', import.meta.url), 'utf8');
    const doc = readFileSync(new URL('../../docs/extending.md', import.meta.url), 'utf8');
    expect(doc).toContain('```ts\n' + code + '```');
    expect(code.trimEnd().split('\n').length).toBeLessThan(30);
  });

  it('quotes its test (docs/examples/sma-topic.test.ts, run with ours) verbatim in "Testing your kind"', () => {
    const code = readFileSync(new URL('../../docs/examples/sma-topic.test.ts', import.meta.url), 'utf8');
    const doc = readFileSync(new URL('../../docs/extending.md', import.meta.url), 'utf8');
    expect(doc.slice(doc.indexOf('## Testing your kind'))).toContain('```ts\n' + code + '```');
  });

  it('streams the moving average of the 1-minute closes (marble test of its stream)', () => {
    const scheduler = marbleScheduler(vitestEqual);
    scheduler.run(({ expectObservable }) => {
      const hub = new Hub({ scheduler, shutdown$: NEVER, emit: () => undefined, enabled: true })
        .register(testBarsKind({ catalog: { symbols: SYMBOLS, resolutions: ['1'] }, seed: 3, periodMs: 20_000 }))
        .register(smaTopicKind(SYMBOLS));
      const opened = openedTopic(hub, 'sma', { symbol: 'AAPL', length: 2 });
      expect(opened.key).toBe('sma:AAPL:2');
      // ticks at 0, 20 s, 40 s, 59.999 s (minute 0 closes), 60 s, 80 s (minute 1): the average needs two minutes
      const [, , , minute0, minute1a, minute1b] = mockSeries({ seed: 3, symbol: 'AAPL', resolution: '1', periodMs: 20_000 }).liveBars(6) as [unknown, unknown, unknown, { close: number }, { close: number; time: number }, { close: number; time: number }];
      expectObservable(opened.stream$, '^ 80s !').toBe('60s a 19999ms b', {
        a: { time: minute1a.time, value: (minute0.close + minute1a.close) / 2 },
        b: { time: minute1b.time, value: (minute0.close + minute1b.close) / 2 },
      });
    });
  });

  it.each([
    [{ symbol: 'NOPE', length: 5 }, 'UNKNOWN_SYMBOL'],
    [{ symbol: 'AAPL', length: 0 }, 'INVALID_PAYLOAD'],
    [{ symbol: 'AAPL', length: '5' }, 'INVALID_PAYLOAD'],
    [null, 'UNKNOWN_SYMBOL'],
  ])('refuses %j with %s', (payload, code) => {
    expect(smaTopicKind(SYMBOLS).parse(payload)).toMatchObject({ ok: false, error: { code } });
  });

  it('is subscribable over WebSocket on a server started with it registered', async () => {
    const { wsUrl } = await apps.start({ topicKinds: [smaTopicKind(SYMBOLS)] });
    const client = await TestClient.connect(wsUrl);
    client.send({ type: 'sma.subscribe', payload: { symbol: 'AAPL', length: 1 } });
    const response = await client.waitFor(isType('sma.subscribe.response'));
    expect(response.payload).toMatchObject({ status: 'ok', symbol: 'AAPL', length: 1, topic: 'sma:AAPL:1' });
    client.subscribeBars('AAPL', '1');
    // sma:AAPL:1 subscribed first, so within a tick its update precedes the bar's
    const firstBar = await client.waitFor(isUpdateOf('bars:AAPL:1'));
    const from = client.messages.indexOf(firstBar) + 1;
    const averages = await client.waitForCount(isUpdateOf('sma:AAPL:1'), 2, { from });
    const bars = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2, { from });
    expect(averages.map((update) => update.payload?.['value'])).toEqual(bars.map((update) => update.payload?.['close']));

    client.send({ type: 'sma.subscribe', payload: { symbol: 'AAPL', length: 500 } });
    const refused = await client.waitFor((message) => message.type === 'sma.subscribe.response' && message.payload?.['status'] === 'error');
    expect(refused.payload).toMatchObject({ code: 'INVALID_PAYLOAD' });
    await client.close();
  });
});
