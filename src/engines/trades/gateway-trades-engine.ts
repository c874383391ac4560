import { tap, type Subscription } from 'rxjs';
import type { BarEngine } from '../../streams/bar-source.js';
import { BARS_TOPIC } from '../../streams/bars-topic.js';
import { fillMissedTradeFinals } from '../../streams/operators/fill-missed-trade-finals.js';
import type { GatewayTradeView } from './gateway-trade-view.js';

/** How a lost final is waited for in the store: every 100 ms, for up to 2 s (a final is stored within milliseconds of its publish). */
const LOST_FINAL_RETRY_MS = 100;
const LOST_FINAL_RETRIES = 20;

/**
 * A gateway's engine with trade-fed symbols (docs/architecture.md, "With Redis"): their topics
 * come off Redis like every other (the wrapped gateway engine), and every update received is
 * shown to the gateway's view of them (recent finals, forming bar). Every trade-fed topic is
 * subscribed from start to stop, watched or not, so the view never misses a final while no
 * client holds the topic: resumes are then answered from it. (A few dozen channels: trade-fed
 * symbols are few.) A final lost on the way (a missed publish, a failover) is read from the
 * store and sent before the next bar (fillMissedTradeFinals), so live clients get it too.
 */
export function gatewayTradesEngine(view: GatewayTradeView, wrapped: BarEngine, onStop: () => void = () => undefined): BarEngine {
  const held: Subscription[] = [];
  return {
    bars: (topic, context) =>
      view.isTradeFed(topic.symbol)
        ? wrapped.bars(topic, context).pipe(
            fillMissedTradeFinals(topic.resolution, (from, to) => view.storedFinals(topic, from, to), {
              maxBars: view.maxBars,
              scheduler: context.scheduler,
              retryMs: LOST_FINAL_RETRY_MS,
              retries: LOST_FINAL_RETRIES,
            }),
            tap((update) => view.observe(topic, update)),
          )
        : wrapped.bars(topic, context),
    servesClients: wrapped.servesClients,
    readiness: () => wrapped.readiness(),
    start: (hub) => {
      wrapped.start(hub);
      for (const topic of view.allTopics()) held.push(hub.updates(BARS_TOPIC, topic).subscribe());
    },
    stop: async () => {
      for (const subscription of held.splice(0)) subscription.unsubscribe();
      onStop();
      await wrapped.stop();
    },
  };
}
