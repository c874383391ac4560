import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Outbox } from '../../../src/transport/ws/outbox.js';
import { marbleScheduler } from '../../support/marbles.js';

/** A socket whose buffer level the test sets by hand; records what was written, and when. */
function fakeSocket(scheduler: TestScheduler) {
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 0,
    written: [] as string[],
    writtenAt: [] as number[],
    send(frame: string) {
      socket.written.push(frame);
      socket.writtenAt.push(scheduler.now());
    },
  };
  return socket;
}

function outboxOn(scheduler: TestScheduler, socket: ReturnType<typeof fakeSocket>) {
  const conflated: string[] = [];
  const slowAt: number[] = [];
  const outbox = new Outbox(socket, {
    softBytes: 100,
    hardBytes: 1_000,
    slowConsumerTimeoutMs: 10,
    drainCheckMs: 4,
    scheduler,
    onConflated: (topic) => conflated.push(topic),
    onSlowConsumer: () => slowAt.push(scheduler.now()),
  });
  return { outbox, conflated, slowAt };
}

describe('Outbox', () => {
  it('writes straight through and starts no timer while the socket keeps up', () => {
    const scheduler = marbleScheduler();
    scheduler.run(() => {
      const socket = fakeSocket(scheduler);
      const { outbox } = outboxOn(scheduler, socket);
      socket.bufferedAmount = 100;
      outbox.send('a1', 'a');
      outbox.send('b1', 'b');
      expect(socket.written).toEqual(['a1', 'b1']);
      expect(scheduler.actions).toHaveLength(0);
    });
  });

  it('keeps only the latest update per topic while backed up and flushes them at the first check after it drains', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox, conflated } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 101;
      outbox.send('a1', 'a');
      outbox.send('b1', 'b');
      outbox.send('a2', 'a');
      outbox.send('a3', 'a');
      scheduler.schedule(() => {
        socket.bufferedAmount = 0;
      }, 5);
    });
    expect(conflated).toEqual(['a', 'a']);
    expect(socket.written).toEqual(['a3', 'b1']);
    expect(socket.writtenAt).toEqual([8, 8]);
    // Drained: the next update goes straight through again.
    outbox.send('a4', 'a');
    expect(socket.written).toEqual(['a3', 'b1', 'a4']);
  });

  it('never sends a held update of a topic the client left', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      outbox.send('b1', 'b');
      outbox.forget('a');
      scheduler.schedule(() => {
        socket.bufferedAmount = 0;
      }, 1);
    });
    expect(socket.written).toEqual(['b1']);
  });

  it('reports a slow consumer once it has lagged for the timeout without a break', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox, slowAt, conflated } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
    });
    // Lagging since 0; checks at 4, 8, 12: the first at or past 10 ms reports it.
    expect(slowAt).toEqual([12]);
    expect(socket.written).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
    // While the owner closes the socket, nothing more is held, conflated or checked.
    outbox.send('a2', 'a');
    outbox.sendReply('late reply');
    expect(conflated).toEqual([]);
    expect(socket.written).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('reports a socket over the hard limit at the first check', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox, slowAt } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 5_000;
      outbox.send('a1', 'a');
    });
    expect(slowAt).toEqual([4]);
  });

  it('starts a new lagging spell after the socket has drained', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox, slowAt } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      scheduler.schedule(() => {
        socket.bufferedAmount = 0;
      }, 6);
      scheduler.schedule(() => {
        socket.bufferedAmount = 500;
        outbox.send('a2', 'a');
      }, 9);
    });
    // Drained and flushed at 8; lagging again from 9, checked at 13, 17, 21: 21 - 9 >= 10.
    expect(socket.written).toEqual(['a1']);
    expect(slowAt).toEqual([21]);
  });

  it('sends replies at once even while updates are held, and a reply can start the backed-up state', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox, slowAt } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 500;
      outbox.sendReply('pong');
      outbox.send('a1', 'a');
      outbox.sendReply('response');
      scheduler.schedule(() => {
        socket.bufferedAmount = 0;
      }, 6);
    });
    expect(socket.written).toEqual(['pong', 'response', 'a1']);
    expect(slowAt).toEqual([]);
  });

  it('stops checking once the socket is no longer open, and writes nothing to it', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox, slowAt } = outboxOn(scheduler, socket);
    scheduler.run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      scheduler.schedule(() => {
        socket.readyState = WebSocket.CLOSED;
        socket.bufferedAmount = 0;
      }, 5);
    });
    outbox.sendReply('late');
    outbox.send('a2', 'a');
    expect(socket.written).toEqual([]);
    expect(slowAt).toEqual([]);
  });

  it('stays backed up when the flush itself fills the buffer again', () => {
    const scheduler = marbleScheduler();
    const socket = fakeSocket(scheduler);
    const { outbox } = outboxOn(scheduler, socket);
    const send = socket.send;
    socket.send = (frame: string) => {
      send(frame);
      socket.bufferedAmount += 200;
    };
    scheduler.run(() => {
      socket.bufferedAmount = 500;
      outbox.send('a1', 'a');
      scheduler.schedule(() => {
        socket.bufferedAmount = 0;
      }, 2);
      scheduler.schedule(() => outbox.send('a2', 'a'), 5);
      scheduler.schedule(() => {
        socket.bufferedAmount = 0;
      }, 9);
      scheduler.schedule(() => outbox.dispose(), 20);
    });
    // a1 flushed at 4 (buffer back to 200 > soft), so a2 at 5 is held, then flushed at 12.
    expect(socket.written).toEqual(['a1', 'a2']);
    expect(socket.writtenAt).toEqual([4, 12]);
  });
});
