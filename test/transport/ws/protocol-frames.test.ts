import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../../src/transport/ws/protocol.js';

describe('parseClientFrame', () => {
  const text = '{"type":"bars.subscribe","payload":{"symbol":"AAPL"}}';
  const expected = { ok: true, message: { type: 'topic', action: 'subscribe', kind: 'bars', payload: { symbol: 'AAPL' } } };

  it('reads a frame delivered as fragments or as an ArrayBuffer the same as one Buffer', () => {
    const bytes = Buffer.from(text);
    expect(parseClientFrame(bytes, false)).toEqual(expected);
    expect(parseClientFrame([bytes.subarray(0, 10), bytes.subarray(10)], false)).toEqual(expected);
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(parseClientFrame(arrayBuffer, false)).toEqual(expected);
  });

  it('keeps __proto__ and constructor as plain data, never as prototypes', () => {
    const parsed = parseClientFrame(Buffer.from('{"type":"bars.subscribe","payload":{"__proto__":{"symbol":"AAPL"}}}'), false);
    expect(parsed.ok).toBe(true);
    const payload = parsed.ok && parsed.message.type === 'topic' ? (parsed.message.payload as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(payload['symbol']).toBeUndefined();
    expect(Object.keys(payload)).toEqual(['__proto__']);
  });
});
