import type { Observable, SchedulerLike } from 'rxjs';
import type { Config } from '../config/schema.js';
import type { BarEngine } from '../streams/bar-source.js';
import { barsTopicKind } from '../streams/bars-topic.js';
import type { Catalog } from '../streams/catalog.js';
import type { EmitEvent } from '../streams/events.js';
import { Hub } from '../streams/hub.js';
import { quotesTopicKind } from '../streams/quotes-topic.js';
import type { SeriesHistory } from '../streams/series-history.js';
import type { AnyTopicKind } from '../streams/topic-kind.js';
import type { TradeFedMinutes } from '../streams/operators/to-trade-fed-quote.js';

export interface HubParts {
  readonly scheduler: SchedulerLike;
  readonly shutdown$: Observable<void>;
  readonly emit: EmitEvent;
  readonly engine: BarEngine;
  readonly history: SeriesHistory;
  /** Registered after the built-in `bars` and `quotes`. */
  readonly topicKinds?: readonly AnyTopicKind[] | undefined;
  /** Trade-fed symbols (INGEST_SYMBOLS): their resumes, their silences that are not staleness, their quotes. */
  readonly tradeFed?: TradeFedMinutes | undefined;
}

/** The hub with its kinds: `bars` from the engine (resumable from history), `quotes`, then the embedder's. */
export function createAppHub(config: Config, catalog: Catalog, { scheduler, shutdown$, emit, engine, history, topicKinds = [], tradeFed }: HubParts): Hub {
  const hub = new Hub({ scheduler, shutdown$, emit, enabled: config.broadcaster.enabled });
  const resume = { history, maxBars: config.history.maxBars, now: () => scheduler.now(), listedAt: Date.parse(config.history.listingDate) };
  hub.register(barsTopicKind({ catalog, engine, resume, ...(tradeFed ? { tradeFed } : {}) }));
  // Mock symbols are quoted against the series' history, trade-fed ones from their trade-built minutes.
  hub.register(quotesTopicKind(catalog, history, tradeFed));
  for (const kind of topicKinds) hub.register(kind);
  return hub;
}
