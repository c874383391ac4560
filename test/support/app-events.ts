import { filter, firstValueFrom, type Observable, timeout } from 'rxjs';
import type { BroadcastEvent } from '../../src/streams/events.js';

/** The next event of `type` on the app's event stream; rejects after `timeoutMs`. Subscribe before the cause. */
export function nextEvent<T extends BroadcastEvent['type']>(
  events$: Observable<BroadcastEvent>,
  type: T,
  timeoutMs = 5_000,
): Promise<Extract<BroadcastEvent, { type: T }>> {
  return firstValueFrom(
    events$.pipe(
      filter((event): event is Extract<BroadcastEvent, { type: T }> => event.type === type),
      timeout(timeoutMs),
    ),
  );
}
