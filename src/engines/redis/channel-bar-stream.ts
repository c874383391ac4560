import { catchError, EMPTY, mergeMap, type Observable, of } from 'rxjs';
import type { Bar } from '../../domain/bar.js';
import { readBarsUpdateFrame, type SerializedUpdate } from '../../domain/update.js';
import { onlyNewer } from '../../streams/operators/only-newer.js';
import type { ChannelSource } from './channel-subscriber.js';
import { topicRedisKeys, type TopicRedisKeys } from './keys.js';

export interface ChannelBarStreamOptions {
  readonly topic: string;
  readonly channels: ChannelSource;
  /** The topic's last published frame, if any (a GET in production). */
  readonly lastFrame: (topic: string) => Observable<string | undefined>;
  readonly reportError: (error: unknown) => void;
  /** Where the topic lives: one Redis's layout by default, the hash-tagged one on a cluster. */
  readonly keysOf?: (topic: string) => TopicRedisKeys;
}

/**
 * A gateway's stream of one topic: the topic's Redis channel, preceded by the last update
 * stored in Redis so a new subscriber gets the current bar at once. The stored update is
 * fetched each time the channel is (re)subscribed, after the subscription is confirmed, so no
 * update falls between the two; `onlyNewer` drops whichever copy arrives second.
 *
 * ```
 * channel:   S-------a-----b---S---c--     (S: subscribed, then fetch stored update z)
 * result:    -z------a-----b-------c--     (the refetched b after the second S is dropped)
 * ```
 *
 * Each update keeps its frame as received (numbered by the generator), so the fan-out
 * forwards it unchanged and every gateway sends the same bytes.
 */
export function channelBarStream(options: ChannelBarStreamOptions): Observable<SerializedUpdate<Bar>> {
  const { topic, reportError } = options;
  const stored = (): Observable<string> =>
    options.lastFrame(topic).pipe(
      mergeMap((text) => (text === undefined ? EMPTY : of(text))),
      catchError((error: unknown) => {
        reportError(error);
        return EMPTY;
      }),
    );
  return options.channels.messages((options.keysOf ?? topicRedisKeys)(topic).channel).pipe(
    mergeMap((event) => (event.type === 'message' ? of(event.text) : stored())),
    mergeMap((text) => {
      const update = readBarsUpdateFrame(text, topic);
      if (update) return of(update);
      reportError(new Error(`ignored a malformed frame on the channel of ${topic}: ${text.slice(0, 80)}`));
      return EMPTY;
    }),
    onlyNewer((update: SerializedUpdate<Bar>) => update.ts),
  );
}
