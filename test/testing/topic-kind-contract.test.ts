import { deepStrictEqual } from 'node:assert';
import { interval, map, NEVER, share } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { memoryEngine } from '../../src/engines/memory/memory-engine.js';
import { barsTopicKind } from '../../src/streams/bars-topic.js';
import { quotesTopicKind } from '../../src/streams/quotes-topic.js';
import { seriesHistory } from '../../src/streams/series-history.js';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { describeTopicKind, MarbleLimitError, type TopicKindContract } from '../../src/testing/index.js';

const symbols = ['AAPL', 'MSFT'];
const catalog = { symbols, resolutions: ['1' as const, '5' as const] };
const hub = { symbols, resolutions: catalog.resolutions, seed: 42, periodMs: 1_000 };
const vitestRunner = { describe, it, deepEqual: (actual: unknown, expected: unknown) => expect(actual).toEqual(expected) };

describeTopicKind(
  {
    kind: barsTopicKind({ catalog, engine: memoryEngine({ seed: hub.seed, periodMs: hub.periodMs }) }),
    valid: [{ symbol: 'AAPL' }, { symbol: 'MSFT', params: { resolution: '5' } }, { symbol: 'AAPL', resolution: 5 }],
    invalid: [
      { payload: { symbol: 'NOPE' }, code: 'UNKNOWN_SYMBOL' },
      { payload: { symbol: 'AA PL' }, code: 'INVALID_SYMBOL' },
      { payload: { symbol: 'AAPL', params: { resolution: '7' } }, code: 'INVALID_RESOLUTION' },
      { payload: { symbol: 'AAPL', params: { resolution: '15' } }, code: 'UNSUPPORTED_RESOLUTION' },
      { payload: { symbol: 'AAPL', params: 'x' }, code: 'INVALID_PAYLOAD' },
    ],
    hub,
  },
  vitestRunner,
);

describeTopicKind(
  {
    kind: quotesTopicKind(catalog, seriesHistory(hub.seed)),
    valid: [{ symbols: ['AAPL'] }, { symbols: ['MSFT'] }],
    invalid: [
      { payload: { symbols: [] }, code: 'INVALID_PAYLOAD' },
      { payload: { symbols: ['NOPE'] }, code: 'UNKNOWN_SYMBOL' },
      { payload: { symbols: ['a b'] }, code: 'INVALID_SYMBOL' },
    ],
    hub,
  },
  vitestRunner,
);

/** Runs the suite with a runner that records each test's failure instead of reporting it. */
function contractFailures(contract: TopicKindContract): Map<string, unknown> {
  const failures = new Map<string, unknown>();
  describeTopicKind(contract, {
    describe: (_name, body) => body(),
    it: (name, body) => {
      try {
        void body();
      } catch (error) {
        failures.set(name, error);
      }
    },
    deepEqual: (actual, expected, message) => deepStrictEqual(actual, expected, message),
  });
  return failures;
}

/** `count:SYMBOL`, a counter every second: correct, so each test below breaks one thing. */
function countKind(overrides: Partial<TopicKind<{ symbol: string }, unknown>> = {}): TopicKind<{ symbol: string }, unknown> {
  return {
    name: 'count',
    parse: (payload) => {
      const symbol = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>)['symbol'] : undefined;
      return typeof symbol === 'string' && symbols.includes(symbol) ? { ok: true, params: { symbol } } : { ok: false, error: { code: 'INVALID_PAYLOAD', message: 'symbol' } };
    },
    key: ({ symbol }) => `count:${symbol}`,
    describe: ({ symbol }) => ({ symbol }),
    create: (_params, context) => interval(1_000, context.scheduler).pipe(map((count) => ({ count }))),
    ...overrides,
  };
}

const contractOf = (kind: TopicKind<{ symbol: string }, unknown>): TopicKindContract => ({
  kind,
  valid: [{ symbol: 'AAPL' }, { symbol: 'MSFT' }],
  hub,
  limits: { maxFrames: 1_000_000 },
});

describe('describeTopicKind fails a kind that breaks the contract', () => {
  it('passes a kind that keeps it', () => {
    expect([...contractFailures(contractOf(countKind())).keys()]).toEqual([]);
  });

  it('fails a parse that throws on junk, naming the payload', () => {
    const failures = contractFailures(contractOf(countKind({ parse: (payload) => ({ ok: true, params: { symbol: (payload as { symbol: string }).symbol } }) })));
    expect([...failures.keys()]).toEqual(['parse never throws on junk and refuses each with a known, stable code']);
    expect(String(failures.get('parse never throws on junk and refuses each with a known, stable code'))).toMatch(/count.parse threw on undefined/);
  });

  it('fails keys that change between calls', () => {
    let calls = 0;
    const failures = contractFailures(contractOf(countKind({ key: ({ symbol }) => `count:${symbol}:${(calls += 1)}` })));
    expect([...failures.keys()]).toContain('makes stable keys inside its prefix, distinct for distinct topics, and JSON descriptions');
    expect(String(failures.get('makes stable keys inside its prefix, distinct for distinct topics, and JSON descriptions'))).toMatch(/keys of .* are stable/);
  });

  it('fails a kind that keeps its timer alive after its last subscriber left, with a MarbleLimitError', () => {
    const failures = contractFailures(contractOf(countKind({ create: (_params, context) => interval(1_000, context.scheduler).pipe(share({ resetOnRefCountZero: false })) })));
    const stop = failures.get('stops when its last subscriber leaves, with every topic it started, and restarts on the next');
    expect(stop).toBeInstanceOf(MarbleLimitError);
  });

  it('fails values that do not survive JSON, and a kind that never emits', () => {
    const dates = contractFailures(contractOf(countKind({ create: (_params, context) => interval(1_000, context.scheduler).pipe(map(() => new Date(0))) })));
    expect(String(dates.get('emits a first value within 1000 virtual ms, and every value survives JSON'))).toMatch(/survives JSON/);
    const silent = contractFailures(contractOf(countKind({ create: () => NEVER })));
    expect(String(silent.get('emits a first value within 1000 virtual ms, and every value survives JSON'))).toMatch(/a first value by frame 1000/);
  });

  it('fails a kind that cannot name two distinct topics', () => {
    const failures = contractFailures(contractOf(countKind({ key: () => 'count:all' })));
    expect(String(failures.get('makes stable keys inside its prefix, distinct for distinct topics, and JSON descriptions'))).toMatch(/2 distinct topics/);
  });
});
