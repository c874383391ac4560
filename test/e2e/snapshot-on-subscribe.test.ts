import { afterEach, describe, expect, it } from 'vitest';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

// A one-minute interval: any update seen within the test's few seconds is the snapshot.
const SLOW = { broadcaster: { interval: 60 } };

describe('snapshot on subscribe', () => {
  it('sends the current bar right after the subscribe response', async () => {
    const { wsUrl } = await apps.start({ config: SLOW });
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL');
    const update = await client.waitFor(isUpdateOf('bars:AAPL:1'));
    const types = client.messages.map((message) => message.type);
    expect(types.slice(0, 2)).toEqual(['bars.subscribe.response', 'bars.update']);
    expect(update.payload).toMatchObject({ time: expect.any(Number), open: expect.any(Number), close: expect.any(Number) });
    await client.close();
  });

  it('sends the same current bar to a client joining a running topic', async () => {
    const { wsUrl } = await apps.start({ config: SLOW });
    const first = await TestClient.connect(wsUrl);
    first.subscribeBars('MSFT');
    await first.waitFor(isUpdateOf('bars:MSFT:1'));
    const second = await TestClient.connect(wsUrl);
    second.subscribeBars('MSFT');
    await second.waitFor(isType('bars.subscribe.response'));
    const joined = await second.waitFor(isUpdateOf('bars:MSFT:1'));
    // The bar the running topic last sent (a bar-close tick could land in between, hence "one of").
    const sentToFirst = first.messages.filter(isUpdateOf('bars:MSFT:1')).map((message) => message.payload);
    expect(sentToFirst).toContainEqual(joined.payload);
    await Promise.all([first.close(), second.close()]);
  });
});
