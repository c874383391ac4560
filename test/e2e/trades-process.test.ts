import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bar } from '../../src/domain/bar.js';
import { periodStart } from '../../src/domain/resolution.js';
import { TestClient } from '../../src/testing/index.js';
import { startMainProcess } from '../support/main-process.js';
import { dataDirs, PUBLISH_TOKEN, publishOverWs } from '../support/trade-publisher.js';

const MINUTE = 60_000;
const children: ChildProcessWithoutNullStreams[] = [];
const dirs = dataDirs();
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  dirs.removeAll();
});

/** src/main.ts as `npm start` runs it, with trade-fed ACME on the SQLite file in `dataDir`. */
async function startBarcast(dataDir: string, latenessMs: number): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
  const started = await startMainProcess({ INGEST_SYMBOLS: 'ACME', PUBLISH_TOKENS: PUBLISH_TOKEN, DATA_DIR: dataDir, INGEST_LATENESS_MS: String(latenessMs) });
  children.push(started.child);
  return started;
}

describe('trade-built bars and a killed process', () => {
  it('keeps every acknowledged trade when SIGKILL comes between the ack and the bar close: after a restart each one is in history', { timeout: 60_000 }, async () => {
    const dataDir = dirs.make();
    // A lateness of two minutes keeps the bars of the two minutes before now open: the kill comes before any of them closes.
    const first = await startBarcast(dataDir, 2 * MINUTE);
    const publisher = await TestClient.connect(`ws://127.0.0.1:${first.port}/api/v1/ws`, { headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } });
    const base = periodStart('1', Date.now()) - 2 * MINUTE;
    let acked = 0;
    for (let batch = 0; batch < 20; batch += 1) {
      const trades = Array.from({ length: 50 }, (_, index) => ({ symbol: 'ACME', price: 100 + index, size: 1, time: base + (((batch * 50 + index) * 97) % (2 * MINUTE)), id: `k${batch}-${index}` }));
      const results = await publishOverWs(publisher, trades);
      acked += results.accepted ?? 0;
    }
    // One more batch in flight as the process dies: it may or may not have committed, but no ack was lost.
    publisher.send({ type: 'trades.publish', id: 'last', payload: { trades: [{ symbol: 'ACME', price: 1, size: 1, time: base, id: 'in-flight' }] } });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await publisher.close();
    expect(acked).toBe(1_000);

    // Restarted with no lateness, the recovered bars of those minutes are due: closed and stored at once.
    const second = await startBarcast(dataDir, 0);
    const response = await fetch(`http://127.0.0.1:${second.port}/api/v1/bars?symbol=ACME&resolution=1&from=${base}&to=${base + 2 * MINUTE}`);
    const { bars } = (await response.json()) as { bars: Bar[] };
    expect(bars.map((bar) => bar.time)).toEqual([base, base + MINUTE]);
    const volume = bars.reduce((sum, bar) => sum + bar.volume, 0);
    expect(volume === acked || volume === acked + 1).toBe(true);
    expect(Math.max(...bars.map((bar) => bar.high))).toBe(149);
    second.child.kill('SIGTERM');
  });
});
