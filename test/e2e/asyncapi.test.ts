import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { hmacToken, JWT_SECRET } from '../support/jwt.js';
import { dataDirs, ingestConfig, PUBLISH_TOKEN } from '../support/trade-publisher.js';
import { isType, isUpdateOf, type ServerMessage, testApps, TestClient } from '../../src/testing/index.js';

const apps = testApps();
const dirs = dataDirs();
afterEach(async () => {
  await apps.stopAll();
  dirs.removeAll();
});

interface AsyncApiDocument {
  readonly asyncapi: string;
  readonly components: {
    readonly messages: Record<string, { readonly name: string; readonly payload: { readonly $ref: string } }>;
    readonly schemas: { readonly ErrorCode: { readonly enum: string[] } };
  };
}

/** A validator per message name (`bars.update` ...), compiled from the served document. */
function validators(document: AsyncApiDocument): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema(document, 'asyncapi');
  return new Map(
    Object.values(document.components.messages).map((message) => {
      const validate = ajv.getSchema(`asyncapi${message.payload.$ref}`);
      if (!validate) throw new Error(`cannot resolve ${message.payload.$ref}`);
      return [message.name, validate];
    }),
  );
}

/** The official AsyncAPI 3.0.0 JSON Schema (from @asyncapi/specs). */
const asyncApiSpec = createRequire(import.meta.url)('@asyncapi/specs/schemas/3.0.0-without-$id.json') as object;

describe('AsyncAPI document at /api/v1/ws/asyncapi.json', () => {
  it('is a valid AsyncAPI 3.0.0 document', async () => {
    const { httpUrl } = await apps.start();
    const document = (await (await fetch(`${httpUrl}/api/v1/ws/asyncapi.json`)).json()) as AsyncApiDocument;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(asyncApiSpec);
    expect({ valid: validate(document), errors: validate.errors ?? [] }).toEqual({ valid: true, errors: [] });
  });

  it('describes every message the live server sends and accepts', async () => {
    const { httpUrl, wsUrl } = await apps.start();
    const response = await fetch(`${httpUrl}/api/v1/ws/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as AsyncApiDocument;
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.components.schemas.ErrorCode.enum).toEqual([...ERROR_CODES]);
    const schemas = validators(document);

    const sent = [
      { type: 'bars.subscribe', payload: { symbol: 'AAPL', params: { resolution: '1' } } },
      { type: 'bars.subscribe', payload: { symbol: 'NOPE', params: { resolution: '1' } } },
      { type: 'bars.unsubscribe', payload: { symbol: 'MSFT', resolution: '1' } },
      { type: 'ping' },
      { type: 'quotes.subscribe', payload: { symbols: ['AAPL', 'NOPE', 'bad sym'] } },
    ];
    const client = await TestClient.connect(wsUrl);
    for (const message of sent) client.send(message);
    client.send({ type: 'quotes.subscribe', payload: { symbols: 5 } });
    client.send('{not json');
    client.send({ type: 'nope' });
    await client.waitForCount(isUpdateOf('bars:AAPL:1'), 2);
    await client.waitForCount(isType('error'), 2);
    await client.waitForCount(isType('quotes.subscribe.response'), 2);
    await client.waitForCount((message) => message.type === 'quotes.update' && message.topic === 'quotes:AAPL', 2);
    await client.waitFor((message) => message.type === 'quotes.update' && message.topic === 'quotes:NOPE');
    client.unsubscribeBars('AAPL');
    client.send({ type: 'quotes.unsubscribe', payload: { symbols: ['AAPL', 'MSFT'] } });
    await client.waitForCount(isType('bars.unsubscribe.response'), 2);
    await client.waitFor(isType('quotes.unsubscribe.response'));
    await client.close();

    sent.push({ type: 'quotes.unsubscribe', payload: { symbols: ['AAPL', 'MSFT'] } });
    for (const message of sent) expect({ message, errors: validate(schemas, message) }).toEqual({ message, errors: [] });
    for (const message of client.messages) expect({ message, errors: validate(schemas, message) }).toEqual({ message, errors: [] });
    // and the schemas do reject what the server must never send
    const broken: ServerMessage = { type: 'bars.update', topic: 'bars:AAPL:1', ts: 1, payload: { time: 1, open: 1 } };
    expect(validate(schemas, broken)).not.toEqual([]);
    // bars.status comes by itself when a topic goes stale (a loaded machine can make one); it is validated above.
    const kinds = new Set(client.messages.map((message: ServerMessage) => message.type).filter((type) => type !== 'bars.status'));
    expect(kinds).toEqual(
      new Set([
        'bars.subscribe.response',
        'bars.unsubscribe.response',
        'bars.update',
        'error',
        'pong',
        'quotes.subscribe.response',
        'quotes.unsubscribe.response',
        'quotes.update',
      ]),
    );
  });
});

describe('AsyncAPI document: access-control messages', () => {
  it('describes auth.refresh, its responses and auth.expiring as the server sends them', async () => {
    const { httpUrl, wsUrl } = await apps.start({ config: { auth: { jwtSecret: JWT_SECRET, expiryWarningSeconds: 600 } } });
    const schemas = validators((await (await fetch(`${httpUrl}/api/v1/ws/asyncapi.json`)).json()) as AsyncApiDocument);
    const client = await TestClient.connect(wsUrl, { protocols: ['barcast.v1', `barcast.bearer.${await hmacToken()}`] });
    await client.waitFor(isType('auth.expiring'));
    const sent = [
      { type: 'auth.refresh', id: 1, payload: { token: await hmacToken() } },
      { type: 'auth.refresh', id: 'two', payload: { token: 'not-a-token' } },
    ];
    for (const message of sent) client.send(message);
    await client.waitForCount(isType('auth.refresh.response'), 2);
    await client.close();
    for (const message of [...sent, ...client.messages]) expect({ message, errors: validate(schemas, message) }).toEqual({ message, errors: [] });
    expect(new Set(client.messages.map((message) => message.type))).toEqual(new Set(['auth.expiring', 'auth.refresh.response']));
  });
});

describe('AsyncAPI document: publishing trades', () => {
  it('describes trades.publish and its responses as the server sends them', async () => {
    const { httpUrl, connect } = await apps.start({ config: ingestConfig(dirs.make(), { latenessMs: 60_000 }) });
    const schemas = validators((await (await fetch(`${httpUrl}/api/v1/ws/asyncapi.json`)).json()) as AsyncApiDocument);
    const publisher = await connect({ headers: { authorization: `Bearer ${PUBLISH_TOKEN}` } });
    const anonymous = await connect();
    const now = Date.now();
    const sent = [
      { type: 'trades.publish', id: 1, payload: { trades: [{ symbol: 'ACME', price: 10, size: 1, time: now, id: 't1' }, { symbol: 'ACME', price: 10, size: 1, time: now, id: 't1' }, { symbol: 'ACME', price: -1, size: 1, time: now }] } },
    ];
    for (const message of sent) publisher.send(message);
    // Not a batch (so outside the schema of what clients send): refused whole, in a response the schema does describe.
    publisher.send({ type: 'trades.publish', id: 2, payload: { trades: 'none' } });
    anonymous.send(sent[0]);
    await publisher.waitForCount(isType('trades.publish.response'), 2);
    await anonymous.waitFor(isType('trades.publish.response'));
    for (const message of [...sent, ...publisher.messages, ...anonymous.messages]) expect({ message, errors: validate(schemas, message) }).toEqual({ message, errors: [] });
    // The refusal needs no commit, so it may be answered first: responses are matched by id.
    expect(Object.fromEntries(publisher.messages.map((message) => [message['id'], (message.payload as { status: string }).status]))).toEqual({ 1: 'ok', 2: 'error' });
    const broken = { type: 'trades.publish.response', payload: { status: 'ok', results: [{ status: 'maybe' }] } };
    expect(validate(schemas, broken)).not.toEqual([]);
  });
});

function validate(schemas: Map<string, ValidateFunction>, message: { readonly type: string }): unknown[] {
  const check = schemas.get(message.type);
  if (!check) return [`no schema for ${message.type}`];
  return check(message) ? [] : (check.errors ?? []);
}
