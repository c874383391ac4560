import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isUpdateOf, testApps } from 'barcast/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirs, PUBLISH_TOKEN } from '../../test/support/trade-publisher.js';

const apps = testApps();
const dirs = dataDirs();
afterEach(async () => {
  await apps.stopAll();
  dirs.removeAll();
});

const SCRIPT = fileURLToPath(new URL('./publish-trades.mjs', import.meta.url));

describe("the README's publish script", () => {
  it('publishes trades a subscriber sees as ACME bars, each one accepted', async () => {
    const { httpUrl, connect } = await apps.start({ config: { ingest: { symbols: ['ACME'], publishTokens: [PUBLISH_TOKEN] }, store: { dataDir: dirs.make() } } });
    const watcher = await connect();
    await watcher.response(watcher.subscribeBars('ACME', '1'));
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT], { env: { PATH: process.env['PATH'] ?? '', BARCAST_URL: httpUrl, PUBLISH_TOKEN, TRADES: '5' } });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^\d+(\.\d+)? \d accepted$/);
    const update = await watcher.waitFor(isUpdateOf('bars:ACME:1'), { timeoutMs: 5_000 });
    expect(update.payload).toMatchObject({ open: expect.any(Number), volume: expect.any(Number) });
    // The chart page lists its symbols from UDF search: ACME is there to pick (/?symbol=ACME).
    const found = (await (await fetch(`${httpUrl}/api/v1/udf/search?query=ACME`)).json()) as { symbol: string; description: string }[];
    expect(found).toEqual([expect.objectContaining({ symbol: 'ACME', description: 'ACME (from published trades)' })]);
  });

  it('is the script the README shows, line for line', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Broadcast your own trades'));
    const shown = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(shown).toBe(readFileSync(SCRIPT, 'utf8'));
  });
});
