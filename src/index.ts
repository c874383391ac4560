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
export { connect, createDatafeed, type BarcastClient, type BarcastDatafeed, type ConnectOptions, type ConnectionStatus } from './client/index.js';
