/**
 * The package's public API: what an embedder or a topic-kind author needs, and nothing
 * internal. test/index.test.ts pins this list, so widening it is a visible decision.
 * The browser-safe client is its own entry point, `barcast/client`.
 */

// The composition root and its configuration.
export { createApp, type App, type AppDependencies } from './app.js';
export { loadConfig, ConfigError, type LoadConfigOptions } from './config/load.js';
export { TRANSPORT_ENGINES, type Config, type TransportEngine } from './config/schema.js';

// Domain types and rules a kind sees.
export type { Bar } from './domain/bar.js';
export type { TopicUpdate } from './domain/update.js';
export { ERRORS, ERROR_CODES, TopicRequestError, requestError, type ErrorCode, type ErrorSpec, type RequestError } from './domain/errors.js';
export { RESOLUTIONS, parseResolution, periodStart, nextPeriodStart, type Resolution } from './domain/resolution.js';
export { topicKey, parseTopicKey, barsTopicKey, parseBarsTopicKey } from './domain/topic.js';
export { isValidSymbol } from './domain/symbol.js';
export { quoteError, quoteFromSessionBar, type QuoteData, type QuoteValues } from './domain/quote.js';

// Topic kinds: the extension point, the hub that runs them, and the built-in kinds by name.
export type {
  AnyTopicKind,
  CreatesUpdates,
  CreatesValues,
  ParseResult,
  TopicContext,
  TopicFailure,
  TopicKind,
  TopicKindRules,
  TopicRef,
  TopicRequest,
  TopicResume,
} from './streams/topic-kind.js';
export { topicRef } from './streams/topic-kind.js';
export { Hub, type HubOptions, type OpenedTopic, type RequestResult, type TopicOutcome } from './streams/hub.js';
export { BARS_TOPIC, BASE_RESOLUTION, type BarsParams } from './streams/bars-topic.js';
export { QUOTES_KIND, type QuotesParams } from './streams/quotes-topic.js';

// Operators meant for composing derived topics.
export { conflate } from './streams/operators/conflate.js';
export { resample } from './streams/operators/resample.js';
export { sma, type IndicatorPoint } from './streams/operators/sma.js';
export { toQuote } from './streams/operators/to-quote.js';

// What a running service reports.
export type { BroadcastEvent, BroadcastEventBody } from './streams/events.js';
export type { MetricsSnapshot } from './streams/metrics.js';
