import type { Redis } from 'ioredis';
import { asyncScheduler, Subject, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/domain/bar.js';
import type { TradeResult } from '../../../src/domain/trade-result.js';
import { readBarsUpdateFrame, type TopicUpdate } from '../../../src/domain/update.js';
import { generatorLoop, type TradeFedTopics } from '../../../src/engines/redis/generator.js';
import { ingestReplyChannel, topicRedisKeys } from '../../../src/engines/redis/keys.js';
import { singleRedisGeneratorLink, type GeneratorLink } from '../../../src/engines/redis/redis-link.js';
import { appendToTradeStream, parseForwardReply } from '../../../src/engines/redis/trade-stream.js';
import { eventually, recordChannel, useRedisServer } from '../../support/cluster.js';
import { memoryLogger } from '../../support/memory-logger.js';

const BASE = 'bars:ACME:1';
const FIVE = 'bars:ACME:5';
const PERIOD = 200;
const local = useRedisServer();
let redis: Redis;
let running: Subscription | undefined;
const links: GeneratorLink[] = [];
beforeEach(async () => {
  redis = local.redis;
  await redis.flushall();
});
afterEach(() => {
  running?.unsubscribe();
  for (const link of links.splice(0)) link.close();
});

/** A generator whose trade-fed ACME is a fake ingest that records what it is asked and accepts every trade. */
function startGenerator(owner: string) {
  const link = singleRedisGeneratorLink({ redisUrl: local.server.url, reconnectMaxMs: 100, logger: memoryLogger().logger });
  links.push(link);
  const calls: string[] = [];
  const updates = new Map([BASE, FIVE].map((topic) => [topic, new Subject<TopicUpdate<Bar>>()]));
  const tradeFed: TradeFedTopics = {
    symbols: ['ACME'],
    topicsOf: () => [BASE, FIVE],
    lead: async (symbol) => {
      calls.push(`lead ${symbol}`);
      return undefined;
    },
    release: (symbol) => void calls.push(`release ${symbol}`),
    ingestEntry: async (_symbol, entryId, trades) => {
      calls.push(`ingest ${entryId}`);
      return trades.map((): TradeResult => ({ status: 'accepted' }));
    },
    onLost: () => undefined,
    pending: 0,
    maxPending: 100,
  };
  running = generatorLoop({
    link,
    topics: [],
    periodMs: PERIOD,
    leaseIntervals: 1.5,
    owner,
    scheduler: asyncScheduler,
    updates: (topic) => updates.get(topic)!,
    reportError: () => undefined,
    tradeFed,
  }).subscribe();
  return { calls, updates };
}

const bar: Bar = { time: 60_000, open: 1, high: 2, low: 1, close: 2, volume: 3 };

describe('generatorLoop with a trade-fed symbol', () => {
  it('leads it with nobody watching, ingests its stream and answers on the reply channel, then claims its other topics', async () => {
    const replies = await recordChannel(local.server.url, ingestReplyChannel('gw-1'));
    const base = await recordChannel(local.server.url, topicRedisKeys(BASE).channel);
    const generator = startGenerator('gen-1');
    await eventually(async () => ((await redis.get(topicRedisKeys(FIVE).lease)) === 'gen-1' ? true : undefined), 'the five-minute topic to be claimed');
    expect(await redis.get(topicRedisKeys(BASE).lease)).toBe('gen-1');

    const id = await appendToTradeStream(redis, topicRedisKeys(BASE).tradeStream, { requestId: 'r1', replyTo: ingestReplyChannel('gw-1'), trades: [{ symbol: 'ACME', price: 1, size: 1, time: 60_000 }] });
    await eventually(() => (replies.frames.length === 1 ? true : undefined), 'the answer');
    expect(parseForwardReply(replies.frames[0]!)).toEqual({ requestId: 'r1', results: [{ status: 'accepted' }] });
    expect(generator.calls).toEqual(['lead ACME', `ingest ${id}`]);

    // Two updates in one millisecond (a final, then the next bar): both go out, the second a millisecond later.
    generator.updates.get(BASE)!.next({ value: bar, ts: 120_000, seq: 1, epoch: 'e', final: true });
    generator.updates.get(BASE)!.next({ value: { ...bar, time: 120_000 }, ts: 120_000, seq: 2, epoch: 'e' });
    await eventually(() => (base.frames.length === 2 ? true : undefined), 'both updates on the channel');
    expect(base.frames.map((text) => readBarsUpdateFrame(text, BASE)?.ts)).toEqual([120_000, 120_001]);
    replies.close();
    base.close();
  });

  it('stops ingesting and publishing it once another generator holds its lease', async () => {
    const generator = startGenerator('gen-1');
    await eventually(async () => ((await redis.get(topicRedisKeys(FIVE).lease)) === 'gen-1' ? true : undefined), 'the leases to be taken');
    await redis.set(topicRedisKeys(BASE).lease, 'gen-other', 'PX', 60_000);
    await eventually(() => (generator.calls.includes('release ACME') ? true : undefined), 'the symbol to be released');
    const channel = await recordChannel(local.server.url, topicRedisKeys(FIVE).channel);
    generator.updates.get(FIVE)!.next({ value: bar, ts: 61_000, seq: 1, epoch: 'e' });
    await new Promise((resolve) => setTimeout(resolve, 2 * PERIOD));
    expect(channel.frames).toEqual([]);
    channel.close();
  });

  it('stops ingesting it when Redis has been away past its lease', async () => {
    const generator = startGenerator('gen-1');
    await eventually(() => (generator.calls.includes('lead ACME') ? true : undefined), 'the symbol to be led');
    await local.server.stop();
    try {
      await eventually(() => (generator.calls.includes('release ACME') ? true : undefined), 'the symbol to be released', 5_000);
    } finally {
      await local.server.restart();
    }
  });
});
