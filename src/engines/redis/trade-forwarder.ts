import { Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { requestError } from '../../domain/errors.js';
import { barsTopicKey } from '../../domain/topic.js';
import type { Trade } from '../../domain/trade.js';
import { refused, type TradeResult } from '../../domain/trade-result.js';
import { BASE_RESOLUTION } from '../../streams/bars-topic.js';
import { awaitReply } from './await-reply.js';
import { ingestReplyChannel } from './keys.js';
import type { GatewayLink } from './redis-link.js';
import { appendToTradeStream, parseForwardReply, type ForwardReply } from './trade-stream.js';

export interface TradeForwarderOptions {
  readonly link: Pick<GatewayLink, 'commands' | 'channels' | 'keysOf'>;
  /** This gateway process's id: names its reply channel. */
  readonly gatewayId: string;
  /** INGEST_FORWARD_TIMEOUT_MS. */
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly reportError: (error: unknown) => void;
}

/**
 * A gateway's way to the lead generator of a trade-fed symbol (docs/architecture.md, "With
 * Redis"): each forwarded publish is one entry (XADD) of the symbol's trade stream, carrying
 * a request id and this gateway's reply channel; the generator that holds the symbol's lease
 * ingests it and PUBLISHes the results there. No answer within the timeout, or a Redis that
 * cannot take the entry, refuses the trades INGEST_UNAVAILABLE: never acknowledged, though
 * the generator may still commit them (which trade ids make safe to publish again).
 */
export class TradeForwarder {
  private readonly replies = new Subject<ForwardReply>();
  private readonly listening: Subscription;
  private requests = 0;
  /** Resolves once the reply channel is subscribed: nothing is forwarded before, or its answer could be missed. */
  private readonly subscribed: Promise<void>;

  constructor(private readonly options: TradeForwarderOptions) {
    let heard: () => void = () => undefined;
    this.subscribed = new Promise((resolve) => (heard = resolve));
    // Subscribed for the process's life, so an answer never waits for a SUBSCRIBE.
    this.listening = options.link.channels.messages(ingestReplyChannel(options.gatewayId)).subscribe({
      next: (event) => {
        if (event.type === 'subscribed') return heard();
        const reply = parseForwardReply(event.text);
        if (reply) this.replies.next(reply);
      },
      error: (error: unknown) => options.reportError(error),
    });
  }

  forward(symbol: string, trades: readonly Trade[]): Promise<readonly TradeResult[]> {
    const { link, gatewayId, timeoutMs, scheduler } = this.options;
    const requestId = `${(this.requests += 1)}`;
    const unavailable = (): readonly TradeResult[] => trades.map(() => refused(requestError('INGEST_UNAVAILABLE')));
    return new Promise((resolve) => {
      // Waiting before the XADD: the answer may come before XADD's own reply does.
      const waiting = awaitReply(this.replies, requestId, timeoutMs, scheduler).subscribe((results) =>
        resolve(results !== undefined && results.length === trades.length ? results : unavailable()),
      );
      const stream = link.keysOf(barsTopicKey(symbol, BASE_RESOLUTION)).tradeStream;
      void this.subscribed.then(async () => {
        // Timed out before the reply channel was up: never forwarded, so surely not stored.
        if (waiting.closed) return;
        try {
          await appendToTradeStream(link.commands, stream, { requestId, replyTo: ingestReplyChannel(gatewayId), trades });
        } catch (error) {
          waiting.unsubscribe();
          this.options.reportError(error);
          resolve(unavailable());
        }
      });
    });
  }

  close(): void {
    this.listening.unsubscribe();
  }
}
