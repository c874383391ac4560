import type { WebSocket as UwsWebSocket } from '@trufflesuite/uws-js-unofficial';
import { describe, expect, it } from 'vitest';
import { prepareTextFrame } from '../../../src/transport/ws/prepared-frame.js';
import { UwsPeerSocket } from '../../../src/transport/ws/uws-peer-socket.js';

/**
 * uWS's WebSocket as far as UwsPeerSocket uses it, with a buffer the test fills: a send past
 * `kernelRoom` bytes leaves the rest buffered and answers 0 (backpressure), as uWS does. The
 * real engine's backpressure is covered end to end by test/e2e/slow-consumer.test.ts; this
 * counts the calls into uWS, which only a fake can see.
 */
function fakeUws(kernelRoom: number) {
  const fake = {
    buffered: 0,
    sent: [] as string[],
    bufferedAmountCalls: 0,
    corked: false,
    send(message: string | Buffer): number {
      fake.sent.push(message.toString());
      if (fake.corked) return 1;
      fake.buffered += Math.max(0, message.length - kernelRoom);
      return fake.buffered > 0 ? 0 : 1;
    },
    getBufferedAmount(): number {
      fake.bufferedAmountCalls += 1;
      return fake.buffered;
    },
    cork(callback: () => void) {
      fake.corked = true;
      callback();
      fake.corked = false;
      return fake;
    },
    ping(payload: string): number {
      fake.sent.push(`ping ${payload}`);
      return 1;
    },
  };
  return fake;
}

const frame = (text: string) => prepareTextFrame(text);

describe('UwsPeerSocket', () => {
  it('answers bufferedAmount 0 without asking uWS while every write went out whole', () => {
    const uws = fakeUws(1_000);
    const peer = new UwsPeerSocket(uws as unknown as UwsWebSocket<unknown>);
    peer.sendFrame(frame('a'));
    peer.sendText('b');
    expect(peer.bufferedAmount).toBe(0);
    expect(uws.bufferedAmountCalls).toBe(0);
    expect(uws.sent).toEqual(['a', 'b']);
  });

  it('asks uWS after a write that left bytes buffered, until uWS says it has drained', () => {
    const uws = fakeUws(2);
    const peer = new UwsPeerSocket(uws as unknown as UwsWebSocket<unknown>);
    peer.sendText('12345');
    expect(peer.bufferedAmount).toBe(3);
    expect(peer.bufferedAmount).toBe(3);
    expect(uws.bufferedAmountCalls).toBe(2);
    uws.buffered = 0;
    expect(peer.bufferedAmount).toBe(0);
    expect(peer.bufferedAmount).toBe(0);
    expect(uws.bufferedAmountCalls).toBe(3);
  });

  it('counts a corked socket’s held bytes on top of what uWS had, and writes them in one cork', () => {
    const uws = fakeUws(2);
    const peer = new UwsPeerSocket(uws as unknown as UwsWebSocket<unknown>);
    peer.sendText('12345');
    peer.cork();
    const callsAtCork = uws.bufferedAmountCalls;
    peer.sendFrame(frame('abcd'));
    peer.sendFrame(frame('ef'));
    expect(peer.bufferedAmount).toBe(3 + 4 + 2);
    expect(uws.bufferedAmountCalls).toBe(callsAtCork);
    expect(uws.sent).toEqual(['12345']);
    peer.uncork();
    expect(uws.sent).toEqual(['12345', 'abcd', 'ef']);
    expect(peer.bufferedAmount).toBe(3);
  });

  it('notices bytes the cork could not hand to the kernel', () => {
    const uws = fakeUws(1_000);
    const peer = new UwsPeerSocket(uws as unknown as UwsWebSocket<unknown>);
    peer.cork();
    peer.sendText('held');
    uws.buffered = 40; // what uWS kept of the cork's one write
    peer.uncork();
    expect(peer.bufferedAmount).toBe(40);
  });

  it('writes the frames a cork holds before a ping, so the ping follows what its payload counts', () => {
    const uws = fakeUws(1_000);
    const peer = new UwsPeerSocket(uws as unknown as UwsWebSocket<unknown>);
    peer.cork();
    peer.sendFrame(frame('a'));
    peer.ping('1');
    peer.sendFrame(frame('b'));
    expect(uws.sent).toEqual(['a', 'ping 1']);
    expect(peer.bufferedAmount).toBe(1);
    peer.uncork();
    expect(uws.sent).toEqual(['a', 'ping 1', 'b']);
  });

  it('drops writes once closing, and answers from uWS then', () => {
    const uws = { ...fakeUws(1_000), end: () => undefined };
    const peer = new UwsPeerSocket(uws as unknown as UwsWebSocket<unknown>);
    peer.close(1000, 'bye');
    peer.sendText('late');
    expect(uws.sent).toEqual([]);
    expect(peer.isOpen).toBe(false);
  });
});
