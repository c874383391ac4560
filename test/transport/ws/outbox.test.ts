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
function setup() {
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
  };
  const conflated: string[] = [];
  const slowAt: number[] = [];
  const outbox = new Outbox(socket, {
    bufferSoftBytes: 100,
    bufferHardBytes: 1_000,
    slowConsumerTimeoutMs: 10,
    drainCheckMs: 4,
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
});
