import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints one made-up file as if it sat at `filePath`, with the project's own eslint config. */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the layers of docs/architecture.md, enforced by lint', () => {
  it.each([
    ['an engine importing transport', 'src/engines/redis/x.ts', "import { updateFrame } from '../../transport/ws/protocol.js';"],
    ['the domain importing RxJS', 'src/domain/x.ts', "import { map } from 'rxjs';"],
    ['the domain importing streams', 'src/domain/x.ts', "import { Hub } from '../streams/hub.js';"],
    ['streams importing transport', 'src/streams/x.ts', "import { WsGateway } from '../transport/ws/gateway.js';"],
    ['streams importing an engine', 'src/streams/x.ts', "import { memoryEngine } from '../engines/memory/memory-engine.js';"],
    ['transport importing an engine', 'src/transport/ws/x.ts', "import { memoryEngine } from '../../engines/memory/memory-engine.js';"],
    ['the browser client importing streams', 'src/client/x.ts', "import { Hub } from '../streams/hub.js';"],
    ['the browser client importing node', 'src/client/x.ts', "import { readFileSync } from 'node:fs';"],
    ['config importing transport', 'src/config/x.ts', "import { WS_PATH } from '../transport/ws/gateway.js';"],
    ['the store importing streams', 'src/store/x.ts', "import { Hub } from '../streams/hub.js';"],
    ['the store importing RxJS', 'src/store/x.ts', "import { map } from 'rxjs';"],
    ['the store importing config', 'src/store/x.ts', "import { loadConfig } from '../config/load.js';"],
    ['the import reading config', 'src/import/x.ts', "import { loadConfig } from '../config/load.js';"],
    ['the domain importing the store', 'src/domain/x.ts', "import { openTradeStore } from '../store/open-trade-store.js';"],
    ['the ingest importing transport', 'src/ingest/x.ts', "import { Session } from '../transport/ws/session.js';"],
    ['the ingest importing an engine', 'src/ingest/x.ts', "import { TradeAggregator } from '../engines/trades/trade-aggregator.js';"],
    ['the ingest importing a database driver', 'src/ingest/x.ts', "import { Database } from 'libsql';"],
    ['transport importing the ingest', 'src/transport/ws/x.ts', "import { Ingest } from '../../ingest/ingest.js';"],
    ['an engine importing the ingest', 'src/engines/trades/x.ts', "import { Ingest } from '../../ingest/ingest.js';"],
    ['transport importing a step of the composition root', 'src/transport/http/x.ts', "import { createAppHub } from '../../composition/hub.js';"],
    ['a step of the composition root importing the root', 'src/composition/x.ts', "import { createApp } from '../app.js';"],
    ['barcast/testing importing a test runner', 'src/testing/x.ts', "import { expect } from 'vitest';"],
  ])('fails on %s', async (_case, filePath, code) => {
    expect(await restrictedImports(filePath, `${code}\nexport const used = [${code.match(/\{ (\w+) \}/)?.[1]}];\n`)).toHaveLength(1);
  });

  it.each([
    ['an engine importing streams and domain', 'src/engines/redis/x.ts', "import { Hub } from '../../streams/hub.js';\nimport { BARS_KIND } from '../../domain/topic.js';"],
    ['transport importing streams', 'src/transport/ws/x.ts', "import { Hub } from '../../streams/hub.js';"],
    ['the store importing the domain and its drivers', 'src/store/x.ts', "import { periodStart } from '../domain/resolution.js';\nimport Database from 'libsql';\nimport pg from 'pg';\nimport { mkdirSync } from 'node:fs';"],
    ['the ingest importing the domain, streams and the store seam', 'src/ingest/x.ts', "import { parseTrade } from '../domain/trade-parse.js';\nimport { AdmissionWatermark } from '../streams/trade-watermark.js';\nimport type { TradeStore } from '../store/trade-store.js';"],
    ['the client importing the domain and RxJS', 'src/client/x.ts', "import { BARS_KIND } from '../domain/topic.js';\nimport { map } from 'rxjs';"],
    ['a step of the composition root importing every layer', 'src/composition/x.ts', "import { Hub } from '../streams/hub.js';\nimport { Gateway } from '../transport/ws/gateway.js';\nimport { memoryEngine } from '../engines/memory/memory-engine.js';\nimport type { Config } from '../config/schema.js';"],
    ['barcast/testing importing the app and rxjs/testing', 'src/testing/x.ts', "import { createApp } from '../app.js';\nimport { TestScheduler } from 'rxjs/testing';"],
  ])('allows %s', async (_case, filePath, code) => {
    expect(await restrictedImports(filePath, `${code}\nexport const used = 1;\n`)).toEqual([]);
  });
});
