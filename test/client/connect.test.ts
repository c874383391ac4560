import { firstValueFrom, type Observable, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BarcastClient, ConnectionStatus } from '../../src/client/connect.js';
import type { Bar } from '../../src/domain/bar.js';
import { TopicRequestError } from '../../src/domain/errors.js';
import { clientTracker } from '../support/client-tracker.js';
import { testApps } from '../../src/testing/index.js';

const apps = testApps();
const clients = clientTracker();
afterEach(async () => {
  clients.closeAll();
  await apps.stopAll();
});

const client = (url: string): BarcastClient => clients.connect(url);

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

  it('completes every topic when closed, releases the socket, and stays closed', async () => {
    const running = await apps.start();
    const barcast = client(running.wsUrl);
    const bars = record(barcast.bars$('AAPL'));
    const quotes = record(barcast.quotes$('MSFT'));
    const states = record(barcast.state$('AAPL'));
    const statuses = record(barcast.status$);
    await bars.until(1);
    await quotes.until(1);
    expect(running.app.metrics()).toMatchObject({ clients: 1, subscriptions: 2 });
    barcast.close();
    // Completion, not an error, for every stream the client handed out.
    await expect(Promise.all([bars.done, quotes.done, states.done, statuses.done])).resolves.toEqual([undefined, undefined, undefined, undefined]);
    expect(statuses.values.at(-1)).toBe('closed');
    expect(states.values.at(-1)?.phase).toBe('idle');
    await expect.poll(() => running.app.metrics()).toMatchObject({ clients: 0, subscriptions: 0 });
    const seen = bars.values.length;
    barcast.close();
    expect(bars.values).toHaveLength(seen);
    // A topic asked for after close completes at once instead of waiting for a socket.
    await expect(firstValueFrom(barcast.bars$('GOOGL'), { defaultValue: 'none' })).resolves.toBe('none');
  });
});
