/** The package's public API: the composition root, the hub and its extension points. */
export { createApp, type App, type AppDependencies } from './app.js';
export { loadConfig, ConfigError, type LoadConfigOptions } from './config/load.js';
export type { Config } from './config/schema.js';
export type { Bar } from './domain/bar.js';
export { ERROR_CODES, TopicRequestError, requestError, type ErrorCode, type RequestError } from './domain/errors.js';
export { mockLastBar, type MockBarContext } from './domain/mock-bar.js';
export { RESOLUTIONS, parseResolution, periodStart, nextPeriodStart, type Resolution } from './domain/resolution.js';
export { topicKey, parseTopicKey, barsTopicKey, parseBarsTopicKey } from './domain/topic.js';
export { barStream, type BarGenerator, type BarStreamOptions } from './streams/bar-stream.js';
export { barsTopicKind, type BarsParams, type BarsTopicOptions } from './streams/bars-topic.js';
export { Hub, type HubOptions, type OpenedTopic, type OpenResult } from './streams/hub.js';
export type { BroadcastEvent, BroadcastEventBody } from './streams/events.js';
export type { MetricsSnapshot } from './streams/metrics.js';
export { scanSkippingFailures } from './streams/operators/scan-skipping-failures.js';
export type { AnyTopicKind, ParseResult, TopicContext, TopicKind } from './streams/topic-kind.js';
// Stream composition: derived topics, multi-topic requests and the operators to build them.
export { isRecord } from './domain/json-record.js';
export { isValidSymbol } from './domain/symbol.js';
export { quoteError, quoteFromSessionBar, type QuoteData, type QuoteValues } from './domain/quote.js';
export { BARS_TOPIC, BASE_RESOLUTION, seriesHistory, type SeriesHistory } from './streams/bars-topic.js';
export { quotesTopicKind, parseQuotesPayload, QUOTES_KIND, type QuotesParams } from './streams/quotes-topic.js';
export type { RequestResult, TopicOutcome } from './streams/hub.js';
export { conflate } from './streams/operators/conflate.js';
export { resample } from './streams/operators/resample.js';
export { sma, type IndicatorPoint } from './streams/operators/sma.js';
export { toQuote } from './streams/operators/to-quote.js';
export { topicRef, type TopicFailure, type TopicRef, type TopicRequest } from './streams/topic-kind.js';
// The browser-safe client (also at the subpath barcast/client).
export { connect, createDatafeed, type BarcastClient, type BarcastDatafeed, type ConnectOptions, type ConnectionStatus } from './client/index.js';
