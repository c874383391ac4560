/**
 * The browser-safe client: `barcast/client`. Only RxJS and pure domain code, no Node
 * modules, so a bundler can ship it to browsers (the chart page uses the bundle that
 * `npm run build` makes); in Node pass `WebSocket` from `ws`.
 */

// Connection and topics
export { connect, RATE_LIMITED_RETRY_MS, type BarcastClient, type BarsOptions, type ConnectOptions, type ConnectionStatus } from './connect.js';
export { IDLE, type SeriesHole, type TopicPhase, type TopicState } from './topic-state.js';
export { BEARER_PROTOCOL_PREFIX, PROTOCOL, type TokenSource } from './bearer-token.js';
export { HISTORY_PATH, restHistory, type HistoryLoader, type HistoryRequest, type HttpAccess } from './rest-history.js';

// TradingView datafeed
export {
  createDatafeed,
  type BarcastDatafeed,
  type DatafeedOptions,
  type DatafeedSymbolInfo,
  type HistoryMetadata,
  type LiveError,
  type PeriodParams,
  type QuotesCallback,
} from './datafeed.js';

// Reconnecting
export { DEFAULT_BACKOFF, reconnectDelay, reconnectWithBackoff, type BackoffPolicy, type ReconnectOptions } from './reconnect-with-backoff.js';

// Shared types
export type { Bar } from '../domain/bar.js';
export type { QuoteData, QuoteValues } from '../domain/quote.js';
export { ERROR_CODES, TopicRequestError, type ErrorCode } from '../domain/errors.js';
