import { firstValueFrom, type Observable, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, type BarcastClient, type ConnectionStatus } from '../../src/client/connect.js';
import type { Bar } from '../../src/domain/bar.js';
import { TopicRequestError } from '../../src/domain/errors.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
const clients: BarcastClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await apps.stopAll();
});

function client(url: string): BarcastClient {
  const created = connect(url, { WebSocketCtor: WebSocket, backoff: { baseMs: 20, maxMs: 200 } });
  clients.push(created);
  return created;
}

/** Records an observable's values, so a test can wait for a count without racing it. */
function record<T>(source$: Observable<T>): { values: T[]; until: (count: number) => Promise<T[]>; done: Promise<unknown> } {
  const values: T[] = [];
  const wakers = new Set<() => void>();
  const done = new Promise((resolve, reject) => {
    source$.subscribe({
      next(value) {
        values.push(value);
        for (const wake of wakers) wake();
      },
      error: reject,
      complete: () => resolve(undefined),
    });
  });
  const until = (count: number): Promise<T[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} values; got ${values.length}`)), 5_000);
      const wake = (): void => {
        if (values.length < count) return;
        clearTimeout(timer);
        wakers.delete(wake);
        resolve(values.slice());
      };
      wakers.add(wake);
      wake();
    });
  return { values, until, done };
}

function waitForStatus(status$: Observable<ConnectionStatus>, wanted: ConnectionStatus): Promise<unknown> {
  return new Promise((resolve) => {
    const subscription = status$.subscribe((status) => {
      if (status === wanted) {
        resolve(undefined);
        queueMicrotask(() => subscription.unsubscribe());
      }
    });
  });
}

describe('connect (against the real server)', () => {
  it('streams bars of a topic, current bar first, and reports the connection status', async () => {
    const { wsUrl } = await apps.start();
    const barcast = client(wsUrl);
    const statuses = record(barcast.status$);
    const bars = await firstValueFrom(barcast.bars$('AAPL', '1').pipe(take(3), toArray()));
    expect(bars.map((bar) => bar.time)).toEqual([...bars.map((bar) => bar.time)].sort((a, b) => a - b));
    expect(bars[0]).toMatchObject({ open: expect.any(Number), volume: expect.any(Number) });
    expect(statuses.values.slice(0, 2)).toEqual(['connecting', 'open']);
    barcast.close();
    expect(statuses.values.at(-1)).toBe('closed');
    await statuses.done;
  });

  it('sends one subscribe per topic for many subscribers, and unsubscribes when the last leaves', async () => {
    const running = await apps.start();
    const barcast = client(running.wsUrl);
    const first = barcast.bars$('MSFT').subscribe();
    const second = barcast.bars$('MSFT', '1').subscribe();
    await firstValueFrom(barcast.bars$('MSFT'));
    expect(running.app.metrics().subscriptions).toBe(1);
    first.unsubscribe();
    second.unsubscribe();
    await expect.poll(() => running.app.metrics().subscriptions).toBe(0);
  });

  it('errors a refused topic with a typed error, and leaves the others streaming', async () => {
    const { wsUrl } = await apps.start();
    const barcast = client(wsUrl);
    const good = record(barcast.bars$('GOOGL'));
    const refused = firstValueFrom(barcast.bars$('NOPE'));
    await expect(refused).rejects.toBeInstanceOf(TopicRequestError);
    await expect(refused).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
    const unsupported = firstValueFrom(barcast.bars$('GOOGL', '1W'));
    await expect(unsupported).rejects.toMatchObject({ code: 'UNSUPPORTED_RESOLUTION' });
    const count = good.values.length;
    await good.until(count + 2);
  });

  it('survives a server restart: reconnects with backoff and resubscribes the topic', async () => {
    const before = await apps.start();
    const barcast = client(before.wsUrl);
    const bars = record(barcast.bars$('AAPL'));
    const statuses = record(barcast.status$);
    await bars.until(2);
    await before.app.stop();
    await waitForStatus(barcast.status$, 'reconnecting');
    const seenWhileDown = bars.values.length;
    const after = await apps.start({ config: { port: before.address.port } });
    await bars.until(seenWhileDown + 2);
    expect(statuses.values).toEqual(expect.arrayContaining(['connecting', 'open', 'reconnecting']));
    expect(statuses.values.at(-1)).toBe('open');
    const times = bars.values.map((bar: Bar) => bar.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(after.app.metrics().subscriptions).toBe(1);
  });

  it('completes every topic when closed', async () => {
    const { wsUrl } = await apps.start();
    const barcast = client(wsUrl);
    const bars = record(barcast.bars$('AAPL'));
    await bars.until(1);
    barcast.close();
    await bars.done;
    barcast.close();
  });
});
