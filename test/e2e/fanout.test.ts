import { afterEach, describe, expect, it } from 'vitest';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

const spread = { broadcaster: { resolutions: ['1', '5'] }, fanout: { tickSchedule: 'spread' } };

describe('fan-out', () => {
  it('delivers every tick of both resolutions to a client on two topics of one symbol', async () => {
    const { wsUrl } = await apps.start({ config: spread });
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL', '1');
    client.subscribeBars('AAPL', '5');
    await client.waitForCount(isType('bars.subscribe.response'), 2);
    const from = client.messages.length;
    const ones = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 3, { from });
    const fives = await client.waitForCount(isUpdateOf('bars:AAPL:5'), 3, { from });
    // One clock drives both topics, so each tick's two updates are sent together.
    fives.forEach((five, tick) => expect(Math.abs((five.ts ?? 0) - (ones[tick]?.ts ?? 0))).toBeLessThanOrEqual(2));
    await client.close();
  });

  it('sends every subscriber the same update frame', async () => {
    const { wsUrl } = await apps.start({ config: spread });
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(wsUrl)));
    for (const client of clients) client.subscribeBars('MSFT');
    await Promise.all(clients.map((client) => client.waitFor(isType('bars.subscribe.response'))));
    const [first] = await clients[0]!.waitForCount(isUpdateOf('bars:MSFT:1'), 1);
    for (const client of clients.slice(1)) {
      const same = await client.waitFor((message) => isUpdateOf('bars:MSFT:1')(message) && message.ts === first?.ts);
      expect(same).toEqual(first);
    }
    await Promise.all(clients.map((client) => client.close()));
  });

  it('still streams when permessage-deflate is offered and taken', async () => {
    const { wsUrl } = await apps.start({ config: { fanout: { tickSchedule: 'aligned', perMessageDeflate: true } } });
    const client = await TestClient.connect(wsUrl, { perMessageDeflate: true });
    expect(client.socket.extensions).toContain('permessage-deflate');
    client.subscribeBars('GOOGL');
    await client.waitForCount(isUpdateOf('bars:GOOGL:1'), 2);
    await client.close();
  });
});
