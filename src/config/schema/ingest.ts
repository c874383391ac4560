import convict from 'convict';
import { isValidSymbol } from '../../domain/symbol.js';
import { listOf, range } from './formats.js';

/*
 * The `ingest` group: trade-built bars (issue 21; docs/operations.md, "Broadcasting your own
 * trades"). One file, like every group of schema/.
 */

convict.addFormat({
  name: 'ingest-symbol-list',
  validate(value: unknown) {
    const bad = listOf(value).filter((symbol) => !isValidSymbol(symbol));
    if (bad.length > 0) throw new Error(`invalid symbol(s) ${bad.join(', ')}: use 1-32 of A-Z, 0-9, ".", "_", "-", e.g. ACME,BTC-USD`);
  },
  coerce: (value: unknown) => [...new Set(listOf(value))],
});

convict.addFormat({
  name: 'publish-token-list',
  validate(value: unknown) {
    if (!Array.isArray(value) && typeof value !== 'string') throw new Error('must be a comma-separated list');
  },
  coerce: (value: unknown) => listOf(value),
});

export const ingestSchema = {
  symbols: {
    doc:
      'Trade-fed symbols, comma-separated: their bars are aggregated from published trades (and served beside BAR_BROADCASTER_SYMBOLS); ' +
      'every other symbol stays mock. Empty: nothing is ingested.',
    format: 'ingest-symbol-list',
    default: [] as string[],
    env: 'INGEST_SYMBOLS',
  },
  latenessMs: {
    doc: 'Milliseconds after its period ends that a bar waits for late trades before it goes final (0-600000); a trade of a final bar is refused TRADE_TOO_LATE.',
    format: range('int', 0, 600_000),
    default: 2_000,
    env: 'INGEST_LATENESS_MS',
  },
  maxFutureMs: {
    doc: 'Milliseconds a trade time may be ahead of the server clock (0-3600000); further ahead it is refused TRADE_IN_FUTURE.',
    format: range('int', 0, 3_600_000),
    default: 5_000,
    env: 'INGEST_MAX_FUTURE_MS',
  },
  maxPending: {
    doc:
      'Trades waiting to be stored past which publishers are slowed (1-10000000): HTTP publishes get 429, a WebSocket ' +
      "publisher's acks wait, and one past twice this is closed with 1013 (INGEST_OVERLOADED).",
    format: range('int', 1, 10_000_000),
    default: 50_000,
    env: 'INGEST_MAX_PENDING',
  },
  batchMax: {
    doc: 'Most trades written in one transaction (1-1000000): trades waiting together are committed together (group commit).',
    format: range('int', 1, 1_000_000),
    default: 5_000,
    env: 'INGEST_BATCH_MAX',
  },
  batchWaitMs: {
    doc: 'Milliseconds a commit waits for more trades to join it when fewer than INGEST_BATCH_MAX are waiting (0-1000); 0 commits at once.',
    format: range('int', 0, 1_000),
    default: 0,
    env: 'INGEST_BATCH_WAIT_MS',
  },
  forwardTimeoutMs: {
    doc:
      'With Redis (BARCAST_ROLE gateway): milliseconds a gateway waits for the lead generator to confirm a forwarded trade (100-120000); ' +
      'past it the trade is refused INGEST_UNAVAILABLE (it may still have been stored: publish it again with its id).',
    format: range('int', 100, 120_000),
    default: 5_000,
    env: 'INGEST_FORWARD_TIMEOUT_MS',
  },
  publishTokens: {
    doc: 'Bearer tokens that may publish trades of every trade-fed symbol, comma-separated (subscribers\' AUTH_TOKENS never can).',
    format: 'publish-token-list',
    default: [] as string[],
    env: 'PUBLISH_TOKENS',
    sensitive: true,
  },
  publishTokensFile: {
    doc: 'File with one publisher token per line (blank lines and # comments ignored), added to PUBLISH_TOKENS.',
    format: String,
    default: '',
    env: 'PUBLISH_TOKENS_FILE',
  },
};

export interface IngestConfig {
  readonly symbols: readonly string[];
  readonly latenessMs: number;
  readonly maxFutureMs: number;
  readonly maxPending: number;
  readonly batchMax: number;
  readonly batchWaitMs: number;
  readonly forwardTimeoutMs: number;
  readonly publishTokens: readonly string[];
  readonly publishTokensFile: string;
}
