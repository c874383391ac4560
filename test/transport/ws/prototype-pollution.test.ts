import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../../src/transport/ws/protocol.js';

describe('parseClientFrame', () => {
  it('keeps __proto__ and constructor as plain data, never as prototypes', () => {
    const frame = '{"type":"bars.subscribe","payload":{"__proto__":{"symbol":"AAPL"},"constructor":{"prototype":{"polluted":true}}}}';
    const parsed = parseClientFrame(Buffer.from(frame), false);
    expect(parsed.ok).toBe(true);
    const payload = parsed.ok && parsed.message.type === 'topic' ? (parsed.message.payload as Record<string, unknown>) : {};
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(payload['symbol']).toBeUndefined();
    expect(Object.keys(payload)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
