import { describe, expect, it } from 'vitest';
import { classicPubSub, RedisChannels, type ChannelEvent } from '../../../src/engines/redis/channel-subscriber.js';
import { eventually, redisClient, useRedisServer } from '../../support/cluster.js';

const local = useRedisServer();

const numsub = async (channel: string): Promise<number> => Number(((await local.redis.pubsub('NUMSUB', channel)) as unknown[])[1]);

describe('RedisChannels', () => {
  it('SUBSCRIBEs a channel for its first listener, confirms it, and UNSUBSCRIBEs after its last', async () => {
    const connection = redisClient(local.server.url);
    await eventually(() => (connection.status === 'ready' ? true : undefined), 'the connection');
    const errors: unknown[] = [];
    const channels = new RedisChannels(classicPubSub(connection), (error) => errors.push(error));
    const first: ChannelEvent[] = [];
    const second: ChannelEvent[] = [];

    const one = channels.messages('test:a').subscribe((event) => first.push(event));
    await eventually(() => (first.length > 0 ? true : undefined), 'the subscription to be confirmed');
    const two = channels.messages('test:a').subscribe((event) => second.push(event));
    expect(await numsub('test:a')).toBe(1);

    await local.redis.publish('test:a', 'hello');
    await eventually(() => (second.length === 2 ? true : undefined), 'the message on both listeners');
    expect(first).toEqual([{ type: 'subscribed' }, { type: 'message', text: 'hello' }]);
    expect(second).toEqual([{ type: 'subscribed' }, { type: 'message', text: 'hello' }]);

    one.unsubscribe();
    expect(await numsub('test:a')).toBe(1);
    two.unsubscribe();
    await eventually(async () => ((await numsub('test:a')) === 0 ? true : undefined), 'the UNSUBSCRIBE');
    expect(errors).toEqual([]);
    connection.disconnect();
  });
});
