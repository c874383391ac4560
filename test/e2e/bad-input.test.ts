import { afterEach, describe, expect, it } from 'vitest';
import { errorCodeOf, isReply, isType, isUpdateOf, testApps, TestClient } from '../../src/testing/index.js';
import { TRANSPORT_ENGINES } from '../../src/config/schema.js';

// The WebSocket behaviour is the same on every engine (transport.engine): each test runs on ws and on uWebSockets.js.
describe.each(TRANSPORT_ENGINES)('on the %s engine', (engine) => {
  const apps = testApps({ config: { transport: { engine } } });
  afterEach(() => apps.stopAll());

  /** Bad input must be answered, not fatal: lift the rate limit so every case gets its own reply. */
  const generous = { limits: { messageBurst: 10_000 } };

  const subscribe = (payload: unknown) => JSON.stringify({ type: 'bars.subscribe', payload });

  const BAD_FRAMES: readonly (readonly [string, string, string])[] = [
    ['not JSON', 'hello', 'INVALID_JSON'],
    ['truncated JSON', '{"type":"bars.subscribe"', 'INVALID_JSON'],
    ['a JSON array', '[1,2,3]', 'INVALID_MESSAGE'],
    ['a JSON string', '"bars.subscribe"', 'INVALID_MESSAGE'],
    ['JSON null', 'null', 'INVALID_MESSAGE'],
    ['an object without type', '{}', 'INVALID_MESSAGE'],
    ['a numeric type', '{"type":42}', 'INVALID_MESSAGE'],
    ['an unknown type', '{"type":"teleport"}', 'UNKNOWN_TYPE'],
    ['an unregistered topic kind', '{"type":"trades.subscribe","payload":{}}', 'UNKNOWN_TYPE'],
    ['control characters in type', '{"type":"bars\\u0000.subscribe"}', 'UNKNOWN_TYPE'],
    ['a missing payload', '{"type":"bars.subscribe"}', 'INVALID_PAYLOAD'],
    ['an array payload', subscribe(['AAPL']), 'INVALID_PAYLOAD'],
    ['a numeric symbol', subscribe({ symbol: 42 }), 'INVALID_PAYLOAD'],
    ['a very long symbol', subscribe({ symbol: 'A'.repeat(10_000) }), 'INVALID_SYMBOL'],
    ['an exchange prefix that is not ours', subscribe({ symbol: 'NASDAQ:AAPL' }), 'INVALID_SYMBOL'],
    ['a NUL in the symbol', subscribe({ symbol: 'AAPL\u0000' }), 'INVALID_SYMBOL'],
    ['a non-Latin symbol', subscribe({ symbol: '苹果' }), 'INVALID_SYMBOL'],
    ['a right-to-left override', subscribe({ symbol: '\u202eLPAA' }), 'INVALID_SYMBOL'],
    ['an emoji symbol', subscribe({ symbol: '📈' }), 'INVALID_SYMBOL'],
    ['a lone surrogate', '{"type":"bars.subscribe","payload":{"symbol":"\\ud800"}}', 'INVALID_SYMBOL'],
    ['an object resolution', subscribe({ symbol: 'AAPL', params: { resolution: {} } }), 'INVALID_PAYLOAD'],
    ['a string params', subscribe({ symbol: 'AAPL', params: '1' }), 'INVALID_PAYLOAD'],
    ['an unknown resolution', subscribe({ symbol: 'AAPL', params: { resolution: '7' } }), 'INVALID_RESOLUTION'],
    ['a symbol not served', subscribe({ symbol: 'ZZZZ' }), 'UNKNOWN_SYMBOL'],
    ['a resolution not served', subscribe({ symbol: 'AAPL', params: { resolution: '5' } }), 'UNSUPPORTED_RESOLUTION'],
    ['a symbol hidden behind __proto__', subscribe({ ['__proto__']: { symbol: 'AAPL' } }), 'INVALID_PAYLOAD'],
    ['__proto__ as a topic kind', '{"type":"__proto__.subscribe"}', 'UNKNOWN_TYPE'],
    ['constructor as a topic kind', '{"type":"constructor.subscribe","payload":{"symbol":"AAPL"}}', 'UNKNOWN_TYPE'],
  ];

  describe('bad input', () => {
    it('answers every malformed frame with its documented error code and keeps the connection usable', async () => {
      const { app, wsUrl } = await apps.start({ config: generous });
      const client = await TestClient.connect(wsUrl);
      for (const [what, frame, code] of BAD_FRAMES) {
        const from = client.messages.length;
        client.send(frame);
        const reply = await client.waitFor(isReply, { from });
        expect(errorCodeOf(reply), what).toBe(code);
        expect(reply.payload?.['status'], what).toBe('error');
      }
      const from = client.messages.length;
      client.socket.send(Buffer.from('{"type":"ping"}'), { binary: true });
      expect(errorCodeOf(await client.waitFor(isReply, { from })), 'a binary frame').toBe('INVALID_MESSAGE');

      client.subscribeBars('AAPL');
      await client.waitFor(isUpdateOf('bars:AAPL:1'));
      const rejected = app.metrics().messages_rejected;
      expect(Object.values(rejected).reduce((sum, count) => sum + (count ?? 0), 0)).toBe(BAD_FRAMES.length + 1);
      expect(rejected.INVALID_SYMBOL).toBe(7);
      await client.close();
    });

    it('ignores unknown fields, in the envelope and in the payload', async () => {
      const { wsUrl } = await apps.start({ config: generous });
      const client = await TestClient.connect(wsUrl);
      client.send({ type: 'bars.subscribe', id: 7, payload: { symbol: 'AAPL', extra: { deep: true }, params: { resolution: '1', x: 1 } } });
      const response = await client.waitFor(isType('bars.subscribe.response'));
      expect(response.payload).toMatchObject({ status: 'ok', topic: 'bars:AAPL:1' });
      expect(response.payload).not.toHaveProperty('extra');
      client.send({ type: 'ping', payload: 'ignored' });
      await client.waitFor(isType('pong'));
      await client.close();
    });

    it('lets __proto__ and constructor payloads change nothing: no prototype pollution', async () => {
      const { wsUrl } = await apps.start({ config: generous });
      const client = await TestClient.connect(wsUrl);
      const hostile =
        '{"type":"bars.subscribe","__proto__":{"polluted":"envelope"},"constructor":{"prototype":{"polluted":"ctor"}},' +
        '"payload":{"symbol":"AAPL","__proto__":{"polluted":"payload","resolution":"5"},"params":{"__proto__":{"polluted":"params"}}}}';
      client.send(hostile);
      const response = await client.waitFor(isType('bars.subscribe.response'));
      // The resolution smuggled in through __proto__ was not read: the default (1) applied.
      expect(response.payload).toMatchObject({ status: 'ok', topic: 'bars:AAPL:1' });
      expect(response.payload).not.toHaveProperty('polluted');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      await client.waitFor(isUpdateOf('bars:AAPL:1'));
      await client.close();
    });

    it('closes a connection that sends a frame over the size limit with 1009, and only that one', async () => {
      const { wsUrl } = await apps.start({ config: { ...generous, limits: { ...generous.limits, maxPayloadBytes: 1024 } } });
      const bystander = await TestClient.connect(wsUrl);
      bystander.subscribeBars('AAPL');
      await bystander.waitFor(isUpdateOf('bars:AAPL:1'));
      const offender = await TestClient.connect(wsUrl);
      offender.send(subscribe({ symbol: 'A'.repeat(2_000) }));
      expect((await offender.closed).code).toBe(1009);
      const seen = bystander.messages.length;
      await bystander.waitForCount(isUpdateOf('bars:AAPL:1'), 2, { from: seen });
      await bystander.close();
    });

    // The one close code the engines differ in: uWS validates UTF-8 itself and cuts the
    // connection without a close frame, which a client sees as 1006 (docs/operations.md).
    it(`closes a text frame that is not UTF-8 with ${engine === 'ws' ? 1007 : 1006}, and only that one`, async () => {
      const { wsUrl } = await apps.start({ config: generous });
      const bystander = await TestClient.connect(wsUrl);
      const offender = await TestClient.connect(wsUrl);
      offender.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      expect((await offender.closed).code).toBe(engine === 'ws' ? 1007 : 1006);
      bystander.send({ type: 'ping' });
      await bystander.waitFor(isType('pong'));
      await bystander.close();
    });
  });

  describe('per-connection limits', () => {
    it('refuses a subscription past the limit with SUBSCRIPTION_LIMIT and allows it again after an unsubscribe', async () => {
      const { app, wsUrl } = await apps.start({ config: { limits: { maxSubscriptions: 2 } } });
      const client = await TestClient.connect(wsUrl);
      for (const symbol of ['AAPL', 'GOOGL']) {
        client.subscribeBars(symbol);
        await client.waitFor((message) => message.type === 'bars.subscribe.response' && message.payload?.['symbol'] === symbol);
      }
      let from = client.messages.length;
      client.subscribeBars('MSFT');
      const refused = await client.waitFor(isType('bars.subscribe.response'), { from });
      expect(refused.payload).toMatchObject({ status: 'error', code: 'SUBSCRIPTION_LIMIT' });
      from = client.messages.length;
      client.subscribeBars('AAPL');
      expect((await client.waitFor(isType('bars.subscribe.response'), { from })).payload).toMatchObject({ status: 'ok' });
      client.unsubscribeBars('GOOGL');
      await client.waitFor(isType('bars.unsubscribe.response'));
      from = client.messages.length;
      client.subscribeBars('MSFT');
      expect((await client.waitFor(isType('bars.subscribe.response'), { from })).payload).toMatchObject({ status: 'ok', topic: 'bars:MSFT:1' });
      expect(app.metrics().messages_rejected.SUBSCRIPTION_LIMIT).toBe(1);
      expect(app.metrics().subscriptions).toBe(2);
      await client.close();
    });

    it('refuses, topic by topic, the part of a multi-topic subscribe past the limit', async () => {
      const { app, wsUrl } = await apps.start({ config: { limits: { maxSubscriptions: 2 } } });
      const client = await TestClient.connect(wsUrl);
      client.subscribeBars('AAPL');
      await client.waitFor(isType('bars.subscribe.response'));
      client.send({ type: 'quotes.subscribe', payload: { symbols: ['MSFT', 'GOOGL'] } });
      const response = await client.waitFor(isType('quotes.subscribe.response'));
      expect(response.payload?.['topics']).toEqual([
        expect.objectContaining({ status: 'ok', topic: 'quotes:MSFT' }),
        expect.objectContaining({ status: 'error', topic: 'quotes:GOOGL', code: 'SUBSCRIPTION_LIMIT' }),
      ]);
      await client.waitFor(isUpdateOf('quotes:MSFT'));
      expect(app.metrics()).toMatchObject({ subscriptions: 2, messages_rejected: { SUBSCRIPTION_LIMIT: 1 } });
      expect(client.messages.some(isUpdateOf('quotes:GOOGL'))).toBe(false);
      await client.close();
    });

    it('answers RATE_LIMITED past the token bucket and closes sustained abuse with 1008', async () => {
      const { app, wsUrl } = await apps.start({ config: { limits: { messagesPerSecond: 0.01, messageBurst: 3, rateLimitCloseAfter: 5 } } });
      const bystander = await TestClient.connect(wsUrl);
      const abuser = await TestClient.connect(wsUrl);
      for (let index = 0; index < 20; index += 1) abuser.send({ type: 'ping' });
      const closed = await abuser.closed;
      expect(closed.code).toBe(1008);
      expect(abuser.messages.filter(isType('pong'))).toHaveLength(3);
      expect(abuser.messages.filter((message) => errorCodeOf(message) === 'RATE_LIMITED')).toHaveLength(4);
      expect(app.metrics().messages_rejected.RATE_LIMITED).toBe(5);
      bystander.send({ type: 'ping' });
      await bystander.waitFor(isType('pong'));
      await bystander.close();
    });
  });
});
