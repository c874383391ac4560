import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_LEVEL, memoryLogger } from '../support/memory-logger.js';
import { isReply, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const FRAMES = 10_000;
const CONNECTIONS = 4;
const BATCH = 250;

/** Frames from plain garbage to almost-valid messages, text and binary. */
const symbolish = fc.oneof(fc.constantFrom('AAPL', 'MSFT', 'GOOGL', 'aapl', '', '__proto__'), fc.string({ unit: 'binary', maxLength: 40 }));
const typeish = fc.oneof(
  fc.constantFrom('bars.subscribe', 'bars.unsubscribe', 'ping', 'pong', 'bars.update', '__proto__.subscribe', 'constructor.subscribe', 'error'),
  fc.string({ maxLength: 40 }),
);
const almostValid = fc
  .record(
    {
      type: typeish,
      payload: fc.oneof(
        fc.record({ symbol: symbolish, params: fc.oneof(fc.record({ resolution: fc.oneof(fc.constantFrom('1', 'D', '5'), fc.jsonValue()) }), fc.jsonValue()) }, { requiredKeys: [] }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((message) => JSON.stringify(message));
const frame: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  almostValid,
  almostValid.map((text) => text.slice(0, Math.floor(text.length / 2))),
  fc.uint8Array({ maxLength: 128 }),
);

describe('fuzzing a live server', () => {
  it(`answers ${FRAMES} arbitrary frames one reply each, and a well-behaved client still gets its updates`, async () => {
    const { logger, records } = memoryLogger('warn');
    const { app, wsUrl } = await apps.start({ config: { broadcaster: { interval: 0.02 }, limits: { messagesPerSecond: 1_000_000, messageBurst: 1_000_000 } }, logger });
    const good = await TestClient.connect(wsUrl);
    good.subscribeBars('AAPL');
    await good.waitFor(isUpdateOf('bars:AAPL:1'));

    // FUZZ_SEED=<seed> replays a failed run; whatever fails below, inside the loop or after it, names the seed.
    const seed = Number(process.env['FUZZ_SEED'] ?? Date.now());
    const frames = fc.sample(frame, { numRuns: FRAMES, seed });
    const fuzzers = await Promise.all(Array.from({ length: CONNECTIONS }, () => TestClient.connect(wsUrl)));
    const sent = fuzzers.map(() => 0);
    await withSeed(seed, async () => {
      for (let start = 0; start < frames.length; start += BATCH * CONNECTIONS) {
        await Promise.all(
          fuzzers.map(async (fuzzer, index) => {
            const batch = frames.slice(start + index * BATCH, start + (index + 1) * BATCH);
            for (const data of batch) fuzzer.socket.send(data, { binary: typeof data !== 'string' });
            sent[index] = (sent[index] ?? 0) + batch.length;
            await fuzzer.waitForCount(isReply, sent[index] ?? 0, { timeoutMs: 10_000 });
          }),
        );
      }

      expect(sent.reduce((sum, count) => sum + count, 0), `seed ${seed}`).toBe(FRAMES);
      for (const fuzzer of fuzzers) expect(fuzzer.socket.readyState, `seed ${seed}`).toBe(fuzzer.socket.OPEN);
      // Exactly one reply per frame: nothing was dropped, nothing answered twice.
      expect(fuzzers.map((fuzzer) => fuzzer.messages.filter(isReply).length), `seed ${seed}`).toEqual(sent);

      const from = good.messages.length;
      await good.waitForCount(isUpdateOf('bars:AAPL:1'), 3, { from, timeoutMs: 2_000 });
      expect(app.metrics().clients).toBe(CONNECTIONS + 1);
      expect(records.filter((record) => record.level >= LOG_LEVEL.error), `seed ${seed}`).toEqual([]);
    });
    await Promise.all([good, ...fuzzers].map((client) => client.close()));
  });
});

/** Runs `body`; any failure in it is rethrown with the seed that replays it in its message. */
async function withSeed(seed: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`fuzz run failed with seed ${seed} (replay: FUZZ_SEED=${seed}): ${message}`, { cause: error });
  }
}
