import { afterEach, describe, expect, it } from 'vitest';
import { appTracker } from '../support/test-app.js';
import { isType, isUpdateOf, TestClient } from '../support/ws-client.js';

const apps = appTracker();
afterEach(() => apps.stopAll());

describe('smoke', () => {
  it('subscribes and receives updates of bars:AAPL:1', async () => {
    const { wsUrl } = await apps.start();
    const client = await TestClient.connect(wsUrl);
    client.subscribe('AAPL');
    const response = await client.waitFor(isType('bars.subscribe.response'));
    expect(response.payload).toMatchObject({ status: 'ok', symbol: 'AAPL', resolution: '1', topic: 'bars:AAPL:1' });
    const [update] = await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2);
    expect(update?.payload).toHaveProperty('close');
    await client.close();
  });
});
