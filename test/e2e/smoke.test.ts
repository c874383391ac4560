import { afterEach, describe, expect, it } from 'vitest';
import { isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
afterEach(() => apps.stopAll());

describe('smoke', () => {
  it('subscribes and receives updates of bars:AAPL:1', async () => {
    const { wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.subscribeBars('AAPL');
    const response = await client.waitFor(isType('bars.subscribe.response'));
    expect(response.payload).toMatchObject({ status: 'ok', symbol: 'AAPL', resolution: '1', topic: 'bars:AAPL:1' });
    const [update] = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2);
    expect(update?.payload).toHaveProperty('close');
    await client.close();
  });
});
