import { createTestHub, describeTopicKind, marbleScheduler, mockSeries, testApps } from 'barcast/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { smaTopicKind } from './sma-topic.js';

const SYMBOLS = ['AAPL', 'MSFT'];
const deepEqual = (actual: unknown, expected: unknown) => expect(actual).toEqual(expected);

// The contract every kind keeps (parse, keys, sharing, refcount, restart, shutdown, errors).
describeTopicKind(
  {
    kind: smaTopicKind(SYMBOLS),
    valid: [{ symbol: 'AAPL', length: 2 }, { symbol: 'MSFT', length: 2 }],
    invalid: [{ payload: { symbol: 'AAPL', length: 0 }, code: 'INVALID_PAYLOAD' }],
    hub: { symbols: SYMBOLS, periodMs: 20_000 },
    firstValueWithinMs: 60_000, // a 2-bar average needs the second minute
  },
  { describe, it, deepEqual },
);

describe('the sma topic', () => {
  it('averages the closes, and subscribes bars:AAPL:1 once however many watch it', () => {
    const scheduler = marbleScheduler(deepEqual);
    scheduler.run(({ expectObservable, expectSubscriptions }) => {
      const testHub = createTestHub({ scheduler, symbols: SYMBOLS, periodMs: 20_000, topicKinds: [smaTopicKind(SYMBOLS)] });
      const sma$ = testHub.topic('sma', { symbol: 'AAPL', length: 2 }).stream$;
      const bars = mockSeries({ symbol: 'AAPL', periodMs: 20_000 });
      const average = (time: number) => ({ time: 60_000, value: (bars.barAt(59_999).close + bars.barAt(time).close) / 2 });
      const expected = { a: average(60_000), b: average(80_000) };
      expectObservable(sma$, '^ 80s !').toBe('60s a 19999ms b', expected);
      expectObservable(sma$, '30s ^ 50s !').toBe('60s a 19999ms b', expected);
      expectSubscriptions(testHub.subscriptions('bars:AAPL:1')).toBe('^ 80s !');
    });
  });

  const apps = testApps();
  afterEach(() => apps.stopAll());

  it('streams over a real WebSocket', async () => {
    const app = await apps.start({ topicKinds: [smaTopicKind(['AAPL', 'GOOGL', 'MSFT'])] });
    const client = await app.connect();
    const id = client.subscribe('sma', { symbol: 'AAPL', length: 1 });
    expect(await client.response(id)).toMatchObject({ payload: { status: 'ok', topic: 'sma:AAPL:1' } });
    const update = await client.nextUpdate<{ time: number; value: number }>('sma:AAPL:1');
    expect(update.payload.value).toBeGreaterThan(0);
  });
});
