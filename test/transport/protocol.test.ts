import { describe, expect, it } from 'vitest';
import { updateFrame } from '../../src/domain/update.js';
import { parseClientFrame, topicErrorResponse } from '../../src/transport/ws/protocol.js';

const text = (value: string): Buffer => Buffer.from(value, 'utf8');

describe('protocol parsing', () => {
  it('parses subscribe and unsubscribe of any kind, and ping', () => {
    expect(parseClientFrame(text('{"type":"bars.subscribe","payload":{"symbol":"AAPL"}}'), false)).toEqual({
      ok: true,
      message: { type: 'topic', action: 'subscribe', kind: 'bars', payload: { symbol: 'AAPL' } },
    });
    expect(parseClientFrame(text('{"type":"quotes.unsubscribe"}'), false)).toMatchObject({
      ok: true,
      message: { action: 'unsubscribe', kind: 'quotes', payload: undefined },
    });
    expect(parseClientFrame(text('{"type":"ping"}'), false)).toEqual({ ok: true, message: { type: 'ping' } });
  });

  it('reads fragmented frames', () => {
    expect(parseClientFrame([text('{"type":'), text('"ping"}')], false)).toEqual({ ok: true, message: { type: 'ping' } });
  });

  it.each([
    ['{', 'INVALID_JSON'],
    ['null', 'INVALID_MESSAGE'],
    ['"bars.subscribe"', 'INVALID_MESSAGE'],
    ['{"type":7}', 'INVALID_MESSAGE'],
    ['{"type":"BARS.SUBSCRIBE"}', 'UNKNOWN_TYPE'],
    ['{"type":"bars.subscribe.response"}', 'UNKNOWN_TYPE'],
    ['{"type":"__proto__.subscribe"}', 'UNKNOWN_TYPE'],
  ])('rejects %s with %s', (frame, code) => {
    expect(parseClientFrame(text(frame), false)).toMatchObject({ ok: false, error: { code } });
  });

  it('rejects binary frames', () => {
    expect(parseClientFrame(text('{"type":"ping"}'), true)).toMatchObject({ ok: false, error: { code: 'INVALID_MESSAGE' } });
  });

  it('truncates a huge unknown type in its error message', () => {
    const parsed = parseClientFrame(text(JSON.stringify({ type: 'x'.repeat(10_000) })), false);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message.length).toBeLessThan(120);
  });

  it('serializes updates and error responses in the documented envelope', () => {
    expect(JSON.parse(updateFrame('bars', 'bars:AAPL:1', { value: { close: 1 }, ts: 5 }))).toEqual({ type: 'bars.update', topic: 'bars:AAPL:1', ts: 5, payload: { close: 1 } });
    expect(JSON.parse(topicErrorResponse('bars', 'unsubscribe', undefined, { code: 'UNKNOWN_SYMBOL', message: 'm' }))).toEqual({
      type: 'bars.unsubscribe.response',
      payload: { status: 'error', code: 'UNKNOWN_SYMBOL', message: 'm' },
    });
  });
});
