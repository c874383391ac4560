import { describe, expect, it } from 'vitest';
import { Outbox } from '../../../src/transport/ws/outbox.js';
import type { PreparedFrame } from '../../../src/transport/ws/prepared-frame.js';
import { marbleScheduler } from '../../../src/testing/index.js';
import { vitestEqual } from '../../support/vitest-equal.js';

/**
 * An outbox on a fake socket whose buffer level the test sets by hand, on a TestScheduler:
 * soft limit 100 bytes, hard 1,000, slow after 10 ms of lagging, checked every 4 ms.
 * `run` plays the scheduled buffer changes in virtual time.
 */
function setup({ unreadSoftBytes = 0 }: { unreadSoftBytes?: number } = {}) {
  const scheduler = marbleScheduler(vitestEqual);
  const socket = {
    isOpen: true,
    bufferedAmount: 0,
    written: [] as string[],
    writtenAt: [] as number[],
    sendText(frame: string) {
      socket.written.push(frame);
      socket.writtenAt.push(scheduler.now());
    },
    sendFrame(frame: PreparedFrame) {
      socket.sendText(frame.text);
    },
    pings: [] as string[],
    ping(payload: string) {
      socket.pings.push(payload);
    },
  };
  const conflated: string[] = [];
  const slowAt: number[] = [];
  const outbox = new Outbox(socket, {
    bufferSoftBytes: 100,
    bufferHardBytes: 1_000,
    slowConsumerTimeoutMs: 10,
    drainCheckMs: 4,
    unreadSoftBytes,
    scheduler,
  }, {
    onConflated: (topic) => conflated.push(topic),
    onSlowConsumer: () => slowAt.push(scheduler.now()),
  });
  const at = (ms: number, work: () => void): void => void scheduler.schedule(work, ms);
  const bufferAt = (ms: number, bytes: number): void =>
    at(ms, () => {
      socket.bufferedAmount = bytes;
    });
  const run = (script: () => void): void => scheduler.run(script);
  return { scheduler, socket, outbox, conflated, slowAt, at, bufferAt, run };
}

describe('Outbox', () => {
  it('writes straight through and starts no timer while the socket keeps up', () => {
    const { scheduler, socket, outbox, run } = setup();
    run(() => {
      socket.bufferedAmount = 100;
      outbox.send('a1', 'a');
      outbox.send('b1', 'b');
      expect(socket.written).toEqual(['a1', 'b1']);
      expect(scheduler.actions).toHaveLength(0);
    });
  });

  it('keeps only the latest update per topic while backed up and flushes them at the first check after it drains', () => {
    const { socket, outbox, conflated, bufferAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 101;
      for (const [frame, topic] of [['a1', 'a'], ['b1', 'b'], ['a2', 'a'], ['a3', 'a']] as const) outbox.send(frame, topic);
      bufferAt(5, 0);
    });
    expect(conflated).toEqual(['a', 'a']);
    expect(socket.written).toEqual(['a3', 'b1']);
    expect(socket.writtenAt).toEqual([8, 8]);
    // Drained: the next update goes straight through again.
    outbox.send('a4', 'a');
    expect(socket.written).toEqual(['a3', 'b1', 'a4']);
  });

  it("conflates per topic and bar: a final update is never superseded, and the finals leave in order before the forming one", () => {
    const { socket, outbox, conflated, bufferAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 101;
      outbox.send('a1', 'a');
      outbox.send('a1-final', 'a', true);
      outbox.send('a2', 'a');
      outbox.send('a2-more', 'a');
      outbox.send('a2-final', 'a', true);
      outbox.send('a3', 'a');
      bufferAt(5, 0);
    });
    // a1 and a2 were superseded by their bar's later updates; no final was.
    expect(conflated).toEqual(['a', 'a', 'a']);
    expect(socket.written).toEqual(['a1-final', 'a2-final', 'a3']);
  });

  it('never sends a held update of a topic the client left', () => {
    const { socket, outbox, bufferAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      outbox.send('b1', 'b');
      outbox.forget('a');
      bufferAt(1, 0);
    });
    expect(socket.written).toEqual(['b1']);
  });

  it('reports a slow consumer once it has lagged for the timeout without a break, then holds nothing more', () => {
    const { scheduler, socket, outbox, conflated, slowAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
    });
    // Lagging since 0; checks at 4, 8, 12: the first at or past 10 ms reports it.
    expect(slowAt).toEqual([12]);
    expect(socket.written).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
    // While the owner closes the socket, nothing more is held, conflated or checked.
    outbox.send('a2', 'a');
    outbox.send('a3', 'a');
    outbox.sendReply('late reply');
    expect(conflated).toEqual([]);
    expect(socket.written).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('reports a socket over the hard limit at the first check', () => {
    const { socket, outbox, slowAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 5_000;
      outbox.send('a1', 'a');
    });
    expect(slowAt).toEqual([4]);
  });

  it('starts a new lagging spell after the socket has drained', () => {
    const { socket, outbox, slowAt, at, bufferAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      bufferAt(6, 0);
      bufferAt(9, 500);
      at(9, () => outbox.send('a2', 'a'));
    });
    // Drained and flushed at 8; lagging again from 9, checked at 13, 17, 21: 21 - 9 >= 10.
    expect(socket.written).toEqual(['a1']);
    expect(slowAt).toEqual([21]);
  });

  it('sends replies at once even while updates are held, and a reply can start the backed-up state', () => {
    const { socket, outbox, slowAt, bufferAt, run } = setup();
    run(() => {
      socket.bufferedAmount = 500;
      outbox.sendReply('pong');
      outbox.send('a1', 'a');
      outbox.sendReply('response');
      bufferAt(6, 0);
    });
    expect(socket.written).toEqual(['pong', 'response', 'a1']);
    expect(slowAt).toEqual([]);
  });

  it('stops checking once the socket is no longer open, and writes nothing to it', () => {
    const { socket, outbox, slowAt, at, run } = setup();
    run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      at(5, () => {
        socket.isOpen = false;
        socket.bufferedAmount = 0;
      });
    });
    outbox.sendReply('late');
    outbox.send('a2', 'a');
    expect(socket.written).toEqual([]);
    expect(slowAt).toEqual([]);
  });

  it('stays backed up when the flush itself fills the buffer again', () => {
    const { socket, outbox, at, bufferAt, run } = setup();
    const send = socket.sendText;
    socket.sendText = (frame: string) => {
      send(frame);
      socket.bufferedAmount += 200;
    };
    run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      bufferAt(2, 0);
      at(5, () => outbox.send('a2', 'a'));
      bufferAt(9, 0);
      at(20, () => outbox.dispose());
    });
    // a1 flushed at 4 (buffer back to 200 > soft), so a2 at 5 is held, then flushed at 12.
    expect(socket.written).toEqual(['a1', 'a2']);
    expect(socket.writtenAt).toEqual([4, 12]);
  });

  describe('read confirmation', () => {
    // Frames of 10 bytes (their text length here), an allowance of 40 unread bytes.
    const frame = (name: string): string => name.padEnd(10, '.');

    it("holds a peer's updates once it has not read past the allowance, though its own buffer is empty, and flushes them when its pong confirms", () => {
      const { socket, outbox, conflated, at, run } = setup({ unreadSoftBytes: 40 });
      run(() => {
        outbox.ping(); // the probe a connection sends as it opens
        outbox.ponged(Buffer.from('0')); // answered: this peer's unread count is trusted
        outbox.send(frame('a1'), 'a');
        outbox.send(frame('a2'), 'a');
        // 30 bytes unconfirmed, past half the allowance: a probe asks how far the peer has read.
        outbox.send(frame('a3'), 'a');
        outbox.send(frame('a3-final'), 'a', true);
        outbox.send(frame('a4'), 'a'); // 40 unread: still within the allowance
        outbox.send(frame('a5'), 'a'); // 50: held, although the socket's own buffer is empty
        outbox.send(frame('a6'), 'a'); // conflates a5
        at(6, () => outbox.ponged(Buffer.from('30'))); // the peer has read up to the probe
      });
      // Held through the check at 4 (no pong yet), flushed at the check after the pong.
      expect(socket.written).toEqual([frame('a1'), frame('a2'), frame('a3'), frame('a3-final'), frame('a4'), frame('a6')]);
      expect(socket.writtenAt.at(-1)).toBe(8);
      expect(conflated).toEqual(['a']);
      // One probe out at a time; the flush left 30 unconfirmed, so a new one went out with it.
      expect(socket.pings).toEqual(['0', '30', '60']);
    });

    it('sends a probe at the first check of a lagging spell when none is out, so a peer that reads again is heard', () => {
      const { socket, outbox, bufferAt, run } = setup({ unreadSoftBytes: 40 });
      run(() => {
        outbox.ping();
        outbox.ponged(Buffer.from('0'));
        outbox.send(frame('a1'), 'a');
        socket.bufferedAmount = 101; // lagging by its own buffer, no probe out
        outbox.send(frame('a2'), 'a');
        bufferAt(5, 0);
      });
      // The check at 4 found it lagging with no probe out and sent one; a2 left once it drained.
      expect(socket.pings).toEqual(['0', '10']);
      expect(socket.written).toEqual([frame('a1'), frame('a2')]);
      expect(socket.writtenAt).toEqual([0, 8]);
    });

    it('judges a peer that never answered a ping by its own buffer alone, as before', () => {
      const { socket, outbox, run } = setup({ unreadSoftBytes: 20 });
      run(() => {
        outbox.ping();
        for (let bar = 1; bar <= 10; bar += 1) outbox.send(frame(`a${bar}`), 'a');
      });
      expect(socket.written).toHaveLength(10);
      // One probe out, unanswered: no other is sent.
      expect(socket.pings).toEqual(['0']);
    });

    it("ignores a pong that is not an answer to a probe: another payload, or a count it never wrote", () => {
      const { socket, outbox, run } = setup({ unreadSoftBytes: 20 });
      run(() => {
        outbox.ping();
        outbox.ponged(Buffer.from('hello'));
        outbox.ponged(Buffer.from('99999'));
        outbox.ponged(Buffer.alloc(0));
        for (let bar = 1; bar <= 10; bar += 1) outbox.send(frame(`a${bar}`), 'a');
      });
      // Still unanswered: judged by its buffer, which keeps up.
      expect(socket.written).toHaveLength(10);
    });
  });
});
