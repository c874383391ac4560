import { afterEach, describe, expect, it } from 'vitest';
import * as barcast from '../../src/index.js';
import { testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

describe('hardening metrics and exports', () => {
  it('serves the hardening counters in the metrics endpoint', async () => {
    const { httpUrl, wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.send('not json');
    await client.waitFor((message) => message.type === 'error');
    const metrics = (await (await fetch(`${httpUrl}/api/v1/broadcaster/metrics`)).json()) as Record<string, unknown>;
    expect(metrics).toMatchObject({
      connections_refused: 0,
      messages_rejected: { INVALID_JSON: 1 },
      slow_consumers_closed: 0,
      updates_conflated: 0,
      dead_peers_terminated: 0,
    });
    await client.close();
  });

  it('exports the error codes clients switch on from the package entry', () => {
    expect(barcast.ERROR_CODES).toEqual(expect.arrayContaining(['SUBSCRIPTION_LIMIT', 'RATE_LIMITED', 'INVALID_JSON']));
    expect(typeof barcast.createApp).toBe('function');
  });
});
