/**
 * The browser-safe client: `barcast/client`. Only RxJS and pure domain code, no Node
 * modules, so a bundler can ship it to browsers; in Node pass `WebSocket` from `ws`.
 */
export { connect, type BarcastClient, type ConnectOptions, type ConnectionStatus } from './connect.js';
export {
  createDatafeed,
  type BarcastDatafeed,
  type DatafeedOptions,
  type DatafeedSymbolInfo,
  type HistoryMetadata,
  type PeriodParams,
} from './datafeed.js';
export { DEFAULT_BACKOFF, reconnectDelay, reconnectWithBackoff, type BackoffPolicy, type ReconnectOptions } from './reconnect-with-backoff.js';
export type { Bar } from '../domain/bar.js';
export { ERROR_CODES, TopicRequestError, type ErrorCode } from '../domain/errors.js';
