import { type BehaviorSubject, concatMap, from, Subject, type Subscription, throwError } from 'rxjs';
import type { Bar } from '../domain/bar.js';
import type { TopicRequestError } from '../domain/errors.js';
import { parseResolution, periodIndex, periodStartAt } from '../domain/resolution.js';
import { admitBar, type HeldSeries, NOTHING_HELD, resumeSince } from './held-series.js';
import type { HistoryLoader, HistoryRequest } from './rest-history.js';
import { isBar, type ResponseMessage, type UpdateMessage } from './server-message.js';
import type { TopicState } from './topic-state.js';
import type { TopicSubscription } from './topic-subscription.js';

export interface BarsSubscriptionOptions {
  readonly key: string;
  readonly symbol: string;
  readonly resolution: string;
  /** Time of the last final bar the caller already holds (e.g. from history): resume after it. */
  readonly since?: number;
  readonly loadHistory: HistoryLoader;
  /** Bars per history request (HISTORY_MAX_BARS of the server, or less). */
  readonly historyChunkBars?: number;
  /** The longest gap reloaded from history, in bars; a longer one is reported as lost. */
  readonly maxReloadBars?: number;
  readonly state: BehaviorSubject<TopicState>;
}

export const HISTORY_CHUNK_BARS = 1_000;
export const MAX_RELOAD_BARS = 100_000;

/** A gap the server could not replay, being loaded from history while live updates wait. */
interface Reload {
  /** A resume the server could not replay, or a bar whose final the server lost. */
  readonly reason: 'resume' | 'repair';
  readonly since: number;
  readonly waiting: UpdateMessage[];
  loading?: Subscription;
}

/**
 * A bar topic that stays exact across reconnects. Every (re)subscribe carries `since`, the
 * last final bar held; the server replays what closed after it (`recovered: true`), or says
 * it cannot, and then the bars between `since` and the first live bar are loaded from
 * history while live updates wait. `bars` never goes back in time, never re-emits a final
 * bar, and so never leaves a hole or a stale bar behind.
 */
export function barsSubscription(options: BarsSubscriptionOptions): TopicSubscription & { readonly bars: Subject<Bar> } {
  const { key, symbol, resolution, loadHistory, state } = options;
  const historyChunkBars = options.historyChunkBars ?? HISTORY_CHUNK_BARS;
  const maxReloadBars = options.maxReloadBars ?? MAX_RELOAD_BARS;
  const bars = new Subject<Bar>();
  const grid = parseResolution(resolution);
  let held: HeldSeries = options.since === undefined ? NOTHING_HELD : { lastFinal: options.since };
  /** The `since` of the subscribe in flight. */
  let asked: number | undefined;
  let reload: Reload | undefined;
  /**
   * Whether the server numbers its updates (`seq`): such a server marks every bar's final
   * update, so a bar that ends without one is a gap to repair. Older servers mark none.
   */
  let finalsPromised = false;

  const setState = (patch: Partial<TopicState>): void => state.next({ ...state.value, ...patch });
  const hand = (bar: Bar, final: boolean): void => {
    const next = admitBar(held, bar, final);
    if (!next) return;
    held = next;
    bars.next(bar);
  };
  const apply = (message: UpdateMessage): void => {
    if (isBar(message.payload)) hand(message.payload, message.final);
  };
  const cancelReload = (): void => {
    reload?.loading?.unsubscribe();
    reload = undefined;
  };
  const finishReload = (): void => {
    const waiting = reload?.waiting ?? [];
    reload = undefined;
    waiting.forEach(apply);
    setState({ phase: 'live' });
  };

  /** History up to the first live bar: every bar before it is closed, so its values are final. */
  function startReload(pending: Reload, before: number): void {
    const requests = historyRequests(pending.since, before);
    const history$ = requests ? from(requests).pipe(concatMap((request) => loadHistory(request))) : throwError(() => new Error('gap too large to reload'));
    pending.loading = history$.subscribe({
      next: (history) => history.forEach((bar) => hand(bar, true)),
      error: () => {
        setState({ lost: state.value.lost + 1, hole: { after: pending.since, before } });
        finishReload();
      },
      complete: () => {
        setState(pending.reason === 'resume' ? { reloads: state.value.reloads + 1 } : { repairs: state.value.repairs + 1 });
        finishReload();
      },
    });
  }

  /**
   * The bars after `since` and before `before` as history requests of at most
   * `historyChunkBars` bars each (a server refuses larger ranges), oldest first; none past
   * `maxReloadBars`, where the gap is reported instead.
   */
  function historyRequests(since: number, before: number): HistoryRequest[] | undefined {
    if (!grid) return [{ symbol, resolution, from: since + 1, to: before }];
    const first = periodIndex(grid, since) + 1;
    const end = periodIndex(grid, before);
    if (end - first > maxReloadBars) return undefined;
    const requests: HistoryRequest[] = [];
    for (let index = first; index < end; index += historyChunkBars) {
      requests.push({ symbol, resolution, from: periodStartAt(grid, index), to: periodStartAt(grid, Math.min(end, index + historyChunkBars)) });
    }
    return requests;
  }

  /**
   * A live bar after one that never got its final values (a server that lost the closing
   * update): the closed bar is loaded from history before the new one is handed out.
   */
  function missedFinal(message: UpdateMessage): boolean {
    if (!finalsPromised || message.replay || held.newest === undefined || held.lastFinal === held.newest || !isBar(message.payload)) return false;
    return message.payload.time > held.newest;
  }

  /** What to resume or repair after: the last final bar, or the one before the first held. */
  function resumeAfter(): number | undefined {
    return grid ? resumeSince(held, grid) : held.lastFinal;
  }

  return {
    key,
    bars,
    subscribeRequest() {
      asked = resumeAfter();
      setState({ phase: asked === undefined ? 'subscribing' : 'resuming' });
      return { type: 'bars.subscribe', payload: { symbol, params: { resolution }, ...(asked === undefined ? {} : { since: asked }) } };
    },
    unsubscribeRequest() {
      return { type: 'bars.unsubscribe', payload: { symbol, params: { resolution } } };
    },
    subscribed(response: ResponseMessage) {
      // A server that does not know `since` answers without `recovered`: it replays nothing either.
      if (asked === undefined || response.recovered === true) return;
      reload = { reason: 'resume', since: asked, waiting: [] };
      setState({ phase: 'reloading' });
    },
    update(message) {
      if (message.seq !== undefined) finalsPromised = true;
      const repairAfter = !reload && missedFinal(message) ? resumeAfter() : undefined;
      if (repairAfter !== undefined) {
        reload = { reason: 'repair', since: repairAfter, waiting: [] };
        setState({ phase: 'reloading' });
      }
      if (reload) {
        reload.waiting.push(message);
        if (!reload.loading && !message.replay && isBar(message.payload)) startReload(reload, message.payload.time);
        return;
      }
      apply(message);
      if (!message.replay && state.value.phase !== 'live') setState({ phase: 'live' });
    },
    status(stale) {
      setState({ stale });
    },
    dropped() {
      cancelReload();
      if (state.value.phase !== 'idle') setState({ phase: 'resuming' });
    },
    refused(error: TopicRequestError) {
      cancelReload();
      setState({ phase: 'idle' });
      bars.error(error);
    },
    ended() {
      cancelReload();
      setState({ phase: 'idle', stale: false });
      bars.complete();
    },
  };
}
