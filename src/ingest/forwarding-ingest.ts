import type { SchedulerLike } from 'rxjs';
import { requestError } from '../domain/errors.js';
import type { PublishScope } from '../domain/publish-scope.js';
import type { Trade } from '../domain/trade.js';
import type { AdmissionRules } from '../domain/trade-admission.js';
import { refused, type TradeResult } from '../domain/trade-result.js';
import { precheckTrades } from './trade-precheck.js';

/**
 * Hands one symbol's admitted trades of a publish to the process that ingests the symbol and
 * resolves with each one's result once that process committed or refused it (With Redis: the
 * gateway's forwarder, engines/redis/trade-forwarder.ts). Never rejects: no answer in time is a
 * refusal (INGEST_UNAVAILABLE).
 */
export interface TradeForwarding {
  forward(symbol: string, trades: readonly Trade[]): Promise<readonly TradeResult[]>;
}

export interface ForwardingIngestOptions {
  readonly rules: AdmissionRules;
  readonly scheduler: SchedulerLike;
  /** INGEST_MAX_PENDING: trades forwarded and not yet answered past which publishers are slowed. */
  readonly maxPending: number;
}

/**
 * A gateway's way in for published trades (docs/architecture.md, "With Redis"): the same
 * checks as the ingest's (a bad trade is refused at once, with its code), then each symbol's
 * admitted trades go to the symbol's lead generator, which runs the ingest itself (admission
 * with the watermark, the commit, the aggregation); each trade is answered with what the
 * generator said. The transport sees it as the ingest (the same `publish`, `pending` and
 * back-pressure), so WebSocket and HTTP publishers cannot tell a gateway from standalone.
 */
export class ForwardingIngest {
  private forwarding: TradeForwarding | undefined;
  private inFlight = 0;
  private closing = false;
  private idle: (() => void) | undefined;

  constructor(private readonly options: ForwardingIngestOptions) {}

  /** The forwarder, once the engine (which owns the Redis link) exists; until then trades are refused INGEST_UNAVAILABLE. */
  useForwarder(forwarding: TradeForwarding): void {
    this.forwarding = forwarding;
  }

  get pending(): number {
    return this.inFlight;
  }

  get maxPending(): number {
    return this.options.maxPending;
  }

  async publish(items: readonly unknown[], scope: PublishScope): Promise<TradeResult[]> {
    const { results, admitted } = precheckTrades(items, scope, this.options.rules, this.options.scheduler.now(), this.closing);
    const bySymbol = new Map<string, { trade: Trade; index: number }[]>();
    for (const entry of admitted) {
      const entries = bySymbol.get(entry.trade.symbol);
      if (entries) entries.push(entry);
      else bySymbol.set(entry.trade.symbol, [entry]);
    }
    this.inFlight += admitted.length;
    try {
      await Promise.all(
        [...bySymbol].map(async ([symbol, entries]) => {
          const answers = await this.forward(symbol, entries.map((entry) => entry.trade));
          entries.forEach((entry, position) => (results[entry.index] = answers[position] ?? refused(requestError('INGEST_UNAVAILABLE'))));
        }),
      );
    } finally {
      this.inFlight -= admitted.length;
      if (this.inFlight === 0) this.idle?.();
    }
    return results;
  }

  /** Takes no more trades and resolves once every forwarded one is answered (or timed out). */
  close(): Promise<void> {
    this.closing = true;
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle = resolve));
  }

  private forward(symbol: string, trades: readonly Trade[]): Promise<readonly TradeResult[]> {
    if (!this.forwarding) return Promise.resolve(trades.map(() => refused(requestError('INGEST_UNAVAILABLE'))));
    return this.forwarding.forward(symbol, trades);
  }
}
