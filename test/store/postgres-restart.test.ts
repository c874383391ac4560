import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Trade } from '../../src/domain/trade.js';
import { openPostgresTradeStore } from '../../src/store/postgres-trade-store.js';
import { StoreUnavailableError } from '../../src/store/store-unavailable.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import type { AnyStore } from '../support/trade-stores.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);
const BATCH = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the PostgreSQL store while PostgreSQL restarts under load', () => {
  let server: PostgresServer;
  let store: AnyStore;
  beforeAll(async () => {
    server = await startPostgresServer();
    store = await openPostgresTradeStore({ connectionString: await server.createDatabase() });
  });
  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  });

  it('fails writes while it is down, resumes after, and loses no acknowledged trade', async () => {
    const acked = new Set<string>();
    const failed: Trade[][] = [];
    const reasons = new Set<string>();
    let running = true;
    let next = 0;
    // A publisher that never stops: one batch after another, each with fresh trade ids.
    const load = (async () => {
      while (running) {
        const batch = Array.from({ length: BATCH }, (): Trade => ({ symbol: 'AAPL', price: 100, size: 1, time: T0 + next, id: `t${next++}` }));
        try {
          const answers = await store.appendTrades(batch);
          batch.forEach((trade, i) => {
            if (answers[i]) acked.add(trade.id ?? '');
          });
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          reasons.add((error as StoreUnavailableError).reason.replace(/\(.*$/, '').trim());
          failed.push(batch);
          await sleep(10);
        }
      }
    })();

    await sleep(300);
    const beforeStop = acked.size;
    expect(beforeStop).toBeGreaterThan(0);
    await server.stop();
    await sleep(300);
    expect(store.health()).toMatchObject({ writable: false });
    const whileDown = acked.size;
    await sleep(300);
    expect(acked.size).toBe(whileDown); // nothing acknowledged while it is down
    expect(failed.length).toBeGreaterThan(0);

    await server.start();
    for (let waited = 0; acked.size === whileDown; waited += 50) {
      if (waited > 10_000) throw new Error('writes did not resume within 10 s of the restart');
      await sleep(50);
    }
    await sleep(200);
    running = false;
    await load;
    expect(store.health()).toEqual({ writable: true });

    const stored = new Set((await store.tradesSince('AAPL', 0)).map((trade) => trade.id));
    const lost = [...acked].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // A refused batch is all or nothing: a commit that broke mid-way left no half batch.
    for (const batch of failed) {
      const present = batch.filter((trade) => stored.has(trade.id)).length;
      expect([0, BATCH]).toContain(present);
    }
    expect(acked.size).toBeGreaterThan(whileDown);
    expect([...reasons].length).toBeGreaterThan(0);
  });
});
