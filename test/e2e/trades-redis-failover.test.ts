import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { periodStart } from '../../src/domain/resolution.js';
import { eventually, redisTestBed } from '../support/cluster.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { isUpdateOf, type TestClient, type UpdateMessage } from '../../src/testing/index.js';
import { startMainProcess } from '../support/main-process.js';
import { outcomes, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';
import { tradesClusterConfig } from '../support/trades-redis.js';

const MINUTE = 60_000;
const LATENESS_MS = 3_000;
const bed = redisTestBed();
let postgres: PostgresServer;
const children: ChildProcessWithoutNullStreams[] = [];
beforeAll(async () => {
  postgres = await startPostgresServer();
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await postgres?.dispose();
});

/** A generator as `npm start` runs it, in a process of its own: resolves once it listens. */
async function startGenerator(redisUrl: string, databaseUrl: string): Promise<ChildProcessWithoutNullStreams> {
  const { child } = await startMainProcess({
    BARCAST_ROLE: 'generator',
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    // A lease of 0.3 s: the standby takes over within a few tenths of a second of the kill.
    BAR_BROADCASTER_INTERVAL: '0.2',
    BAR_BROADCASTER_RESOLUTIONS: '1,5',
    INGEST_SYMBOLS: 'ACME',
    INGEST_LATENESS_MS: String(LATENESS_MS),
  });
  children.push(child);
  return child;
}

interface Sent {
  readonly id: string;
  readonly time: number;
  readonly size: number;
}

describe('trade-built bars over Redis: failover of the lead generator', () => {
  it(
    'loses no acknowledged trade and counts none twice when the lead generator is SIGKILLed mid-publish: history volume equals the trades acked, and a live chart was streamed exactly history',
    { timeout: 150_000 },
    async () => {
      const { first, second, lease, gateway, publisher } = await leaderStandbyAndGateway();
      // A chart watching live through the failover: what it was streamed must end up equal to history.
      const watcher = await gateway.connect();
      await watcher.response(watcher.subscribeBars('ACME', '1'));

      const { acked, n } = await publishThrough(publisher, 4_000, () => {
        first.kill('SIGKILL');
      });
      expect((await lease())?.includes(`:${second.pid}:`)).toBe(true);
      expect(acked.size).toBe(n);
      const bars = await expectHistoryHolds(gateway.httpUrl, acked);
      const streamedFinals = (watcher.messages.filter(isUpdateOf('bars:ACME:1')) as UpdateMessage<Bar>[]).filter((update) => update.final === true).map((update) => update.payload);
      expect(streamedFinals).toEqual(bars);
    },
  );

  it(
    'commits no entry twice when the lead generator is paused past its lease and wakes up while the standby leads: history volume equals the trades acked',
    { timeout: 150_000 },
    async () => {
      const { first, second, lease, gateway, publisher } = await leaderStandbyAndGateway();
      // Frozen mid-publish (a GC pause, a stalled VM): its lease lapses, the standby takes over; then it wakes up still believing it leads.
      const { acked, n } = await publishThrough(publisher, 4_000, () => {
        first.kill('SIGSTOP');
        setTimeout(() => first.kill('SIGCONT'), 1_500);
      });
      expect((await lease())?.includes(`:${second.pid}:`)).toBe(true);
      expect(acked.size).toBe(n);
      await expectHistoryHolds(gateway.httpUrl, acked);
    },
  );
});

/** A lead generator (the first, once it holds ACME's lease), a standby, a gateway on them, and a publisher connected to it. */
async function leaderStandbyAndGateway() {
  const databaseUrl = await postgres.createDatabase();
  const redisUrl = bed.server.url;
  const first = await startGenerator(redisUrl, databaseUrl);
  const lease = () => bed.redis.get('barcast:lease:bars:ACME:1');
  await eventually(async () => ((await lease())?.includes(`:${first.pid}:`) ? true : undefined), 'the first generator to take the lease', 10_000);
  const second = await startGenerator(redisUrl, databaseUrl);
  const gateway = await bed.apps.start({
    config: tradesClusterConfig('gateway', { redisUrl }, databaseUrl, { latenessMs: LATENESS_MS, forwardTimeoutMs: 1_000 }),
  });
  const publisher = await gateway.connect({ headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } });
  return { first, second, lease, gateway, publisher };
}

/**
 * Publishes trades with ids through `publisher` for `forMs`, calling `fault` once 100 are
 * acknowledged; a trade refused INGEST_UNAVAILABLE is published again with its id until
 * acknowledged. Resolves with the acknowledged trades and how many were published.
 */
async function publishThrough(publisher: TestClient, forMs: number, fault: () => void): Promise<{ acked: Map<string, Sent>; n: number }> {
  const acked = new Map<string, Sent>();
  let waiting: Sent[] = [];
  let n = 0;
  let faulted = false;
  const until = Date.now() + forMs;
  while (Date.now() < until || waiting.length > 0) {
    if (Date.now() < until) {
      const now = Date.now();
      for (let i = 0; i < 10; i += 1) waiting.push({ id: `t${(n += 1)}`, time: now, size: (n % 7) + 1 });
    }
    const batch = waiting;
    const results = outcomes(await publishOverWs(publisher, batch.map((sent) => ({ symbol: 'ACME', price: 100 + (n % 5), size: sent.size, time: sent.time, id: sent.id }))));
    waiting = [];
    batch.forEach((sent, index) => {
      const outcome = results[index];
      if (outcome === 'accepted' || outcome === 'duplicate') acked.set(sent.id, sent);
      else if (outcome === 'INGEST_UNAVAILABLE' || outcome === 'STORE_UNAVAILABLE') waiting.push(sent);
      else throw new Error(`trade ${sent.id} refused ${outcome}`);
    });
    // Under the WebSocket's rate limit (10 messages a second).
    await new Promise((resolve) => setTimeout(resolve, 110));
    if (!faulted && acked.size >= 100) {
      faulted = true;
      fault();
    }
  }
  expect(faulted).toBe(true);
  return { acked, n };
}

/** Once every minute the trades fell in has closed: its volume in history is exactly the sum of its trades' sizes. */
async function expectHistoryHolds(httpUrl: string, acked: ReadonlyMap<string, Sent>): Promise<readonly Bar[]> {
  const minutes = [...new Set([...acked.values()].map((sent) => periodStart('1', sent.time)))].sort((a, b) => a - b);
  const last = minutes.at(-1)!;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, last + MINUTE + LATENESS_MS + 1_000 - Date.now())));
  const history = async (): Promise<Bar[]> => ((await (await fetch(`${httpUrl}/api/v1/bars?symbol=ACME&resolution=1&from=${minutes[0]}&to=${last + MINUTE}`)).json()) as { bars?: Bar[] }).bars ?? [];
  const bars = await eventually(async () => {
    // Polled slowly: history is rate limited per client.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const stored = await history();
    return stored.length === minutes.length ? stored : undefined;
  }, 'a final bar of every minute in history', 10_000);
  const expected = minutes.map((minute) => [...acked.values()].filter((sent) => periodStart('1', sent.time) === minute).reduce((sum, sent) => sum + sent.size, 0));
  expect(bars.map((bar) => bar.time)).toEqual(minutes);
  expect(bars.map((bar) => bar.volume)).toEqual(expected);
  return bars;
}
