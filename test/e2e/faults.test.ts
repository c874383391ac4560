import { defer, interval, map } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BarGenerator } from '../../src/streams/bar-stream.js';
import { mockLastBar } from '../../src/domain/mock-bar.js';
import type { TopicKind } from '../../src/streams/topic-kind.js';
import { LOG_LEVEL, memoryLogger } from '../support/memory-logger.js';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

/** Throws on the first `failures` ticks of MSFT; every other topic is the normal mock market. */
function failingFor(symbol: string, failures: number): BarGenerator {
  let failed = 0;
  return (previous, now, context) => {
    if (context.symbol === symbol && failed < failures) {
      failed += 1;
      throw new Error(`generator failure ${failed} for ${symbol}`);
    }
    return mockLastBar(previous, now, context);
  };
}

/** A topic whose stream errors once, after three values: the hub must restart it with backoff. */
function erroringOnce(): TopicKind<Record<string, never>, { seq: number; attempt: number }> {
  let attempts = 0;
  return {
    name: 'flaky',
    parse: () => ({ ok: true, params: {} }),
    key: () => 'flaky:one',
    describe: () => ({}),
    create: (_params, context) =>
      defer(() => {
        attempts += 1;
        const attempt = attempts;
        return interval(10, context.scheduler).pipe(
          map((seq) => {
            if (attempt === 1 && seq === 3) throw new Error('flaky stream broke');
            return { seq, attempt };
          }),
        );
      }),
  };
}

async function subscribedClients(wsUrl: string, symbols: readonly string[], perSymbol: number): Promise<TestClient[]> {
  const clients = await Promise.all(Array.from({ length: symbols.length * perSymbol }, () => TestClient.connect(wsUrl)));
  clients.forEach((client, index) => client.subscribeBars(symbols[index % symbols.length] ?? 'AAPL'));
  await Promise.all(clients.map((client) => client.waitFor(isType('bars.subscribe.response'))));
  return clients;
}

describe('faults', () => {
  it('counts and logs a failing generator, skips its ticks and resumes it, while other topics under load carry on', async () => {
    const { logger, records } = memoryLogger('error');
    const { app, wsUrl } = await apps.start({ config: { broadcaster: { interval: 0.02 } }, logger, generate: failingFor('MSFT', 10) });
    const clients = await subscribedClients(wsUrl, ['AAPL', 'GOOGL', 'MSFT'], 10);
    const msftClient = clients[2];
    if (!msftClient) throw new Error('no MSFT client');

    await msftClient.waitFor(isUpdateOf('bars:MSFT:1'));
    expect(app.metrics().errors).toBe(10);
    // Every AAPL and GOOGL subscriber had updates flowing while MSFT was failing.
    for (const [index, client] of clients.entries()) {
      const topic = `bars:${['AAPL', 'GOOGL', 'MSFT'][index % 3]}:1`;
      await client.waitForCount(isUpdateOf(topic), index % 3 === 2 ? 1 : 5);
    }
    const failures = records.filter((record) => record.level === LOG_LEVEL.error && record['topic'] === 'bars:MSFT:1');
    expect(failures).toHaveLength(10);
    expect(failures[0]?.msg).toMatch(/topic stream failed/);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('restarts a topic whose stream errors, with backoff, without other topics noticing', async () => {
    const { logger, records } = memoryLogger('error');
    const { app, wsUrl } = await apps.start({ config: { broadcaster: { interval: 0.02 } }, logger, topicKinds: [erroringOnce()] });
    const bars = await subscribedClients(wsUrl, ['AAPL'], 5);
    const flaky = await TestClient.connect(wsUrl);
    flaky.send({ type: 'flaky.subscribe', payload: {} });
    const resumed = await flaky.waitFor((message) => isUpdateOf('flaky:one')(message) && (message.payload as { attempt: number }).attempt === 2);
    expect(resumed.payload).toMatchObject({ seq: 0, attempt: 2 });
    expect(flaky.messages.filter(isUpdateOf('flaky:one')).map((message) => message.payload)).toEqual([
      { seq: 0, attempt: 1 },
      { seq: 1, attempt: 1 },
      { seq: 2, attempt: 1 },
      { seq: 0, attempt: 2 },
    ]);
    expect(app.metrics().errors).toBe(1);
    expect(records.some((record) => record['topic'] === 'flaky:one')).toBe(true);
    // The bars subscribers kept receiving through the failure and its backoff.
    for (const client of bars) expect(client.messages.filter(isUpdateOf('bars:AAPL:1')).length).toBeGreaterThan(10);
    await Promise.all([...bars, flaky].map((client) => client.close()));
  });
});
