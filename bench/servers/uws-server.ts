import type * as Uws from '@trufflesuite/uws-js-unofficial';
import type { Bar } from '../../src/domain/bar.js';
import { parseResolution } from '../../src/domain/resolution.js';
import { delayToNextTick, tickPhase } from '../../src/domain/tick-phase.js';
import { barsTopicKey } from '../../src/domain/topic.js';
import { loadUws } from '../../src/transport/ws/uws-module.js';
import { nextBar, updateFrame, type StartServer } from './bench-server.js';

interface TopicMessage {
  readonly type: string;
  readonly payload: { readonly symbol: string; readonly params: { readonly resolution: string } };
}

/**
 * The fastest peer: uWebSockets.js with its own C++ pub/sub. It does what the raw baseline
 * does (one timer ticking every topic at the same instant, one `JSON.stringify` per update),
 * but a socket joins a topic with `ws.subscribe(topic)` and an update goes out with
 * `app.publish(topic, frame)`, which delivers it to every subscriber in C++ and corks each
 * socket's writes of one loop iteration into one. Compression off; every other option at
 * uWS's defaults (64 KiB maxBackpressure, automatic pings), which is what a user gets.
 */
export const startUwsServer: StartServer = async ({ intervalMs, symbols }) => {
  // The native binary, never the package's JavaScript fallback (see uws-module.ts).
  const uws = loadUws();
  const bars = new Map<string, Bar | undefined>();
  /** The topics of each symbol, for BENCH_UWS_TICKS=spread. */
  const bySymbol = new Map<string, Set<string>>();
  const app = uws.App().ws('/*', {
    compression: uws.DISABLED,
    maxPayloadLength: 64 * 1024,
    // BENCH_UWS_UPGRADE=async: upgrade the way barcast's uWS engine does (the verdict a turn
    // later, an onAborted handler and a deadline timer meanwhile), to see what that costs alone.
    ...(process.env['BENCH_UWS_UPGRADE'] === 'async' ? { upgrade: asyncUpgrade } : {}),
    message: (ws, data) => {
      const message = JSON.parse(Buffer.from(data).toString('utf8')) as TopicMessage;
      const key = barsTopicKey(message.payload.symbol, parseResolution(message.payload.params.resolution) ?? '1');
      if (message.type === 'bars.subscribe') {
        ws.subscribe(key);
        if (!bars.has(key)) bars.set(key, undefined);
        const ofSymbol = bySymbol.get(message.payload.symbol) ?? new Set<string>();
        bySymbol.set(message.payload.symbol, ofSymbol.add(key));
      } else {
        ws.unsubscribe(key);
      }
      ws.send(JSON.stringify({ type: `${message.type}.response`, payload: { status: 'ok', topic: key } }), false);
    },
  });
  const tick = (keys: Iterable<string>): void => {
    for (const key of keys) {
      if (app.numSubscribers(key) === 0) continue;
      const now = Date.now();
      const bar = nextBar(key, bars.get(key), now);
      bars.set(key, bar);
      app.publish(key, updateFrame(key, now, bar), false);
    }
  };
  const timers: NodeJS.Timeout[] = [];
  if (process.env['BENCH_UWS_TICKS'] === 'spread') {
    // BENCH_UWS_TICKS=spread: each symbol at its own phase, as barcast's default schedule
    // ticks, so a client on several symbols costs uWS as many writes per interval as barcast.
    for (const symbol of symbols) {
      const run = (): void => tick(bySymbol.get(symbol) ?? []);
      timers.push(setTimeout(() => {
        run();
        timers.push(setInterval(run, intervalMs));
      }, delayToNextTick(Date.now(), intervalMs, tickPhase(symbol, intervalMs))));
    }
  } else {
    timers.push(setInterval(() => tick(bars.keys()), intervalMs));
  }
  const listenSocket = await new Promise<Uws.us_listen_socket>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) => (socket ? resolve(socket) : reject(new Error('uWS could not listen on 127.0.0.1'))));
  });
  return {
    port: uws.us_socket_local_port(listenSocket as unknown as Uws.us_socket),
    stop: () => {
      for (const timer of timers) clearTimeout(timer);
      // Open sockets go with the process (the driver disconnects its clients first).
      uws.us_listen_socket_close(listenSocket);
      return Promise.resolve();
    },
  };
};

/** An upgrade answered asynchronously, as src/transport/ws/uws-engine.ts answers one after its access check. */
function asyncUpgrade(res: Uws.HttpResponse, req: Uws.HttpRequest, context: Uws.us_socket_context_t): void {
  const key = req.getHeader('sec-websocket-key');
  const protocol = req.getHeader('sec-websocket-protocol');
  const extensions = req.getHeader('sec-websocket-extensions');
  let settled = false;
  const deadline = setTimeout(() => {
    settled = true;
    res.close();
  }, 10_000);
  res.onAborted(() => {
    settled = true;
    clearTimeout(deadline);
  });
  void Promise.resolve({ ok: true }).then((userData) => {
    clearTimeout(deadline);
    if (settled) return;
    settled = true;
    res.cork(() => res.upgrade(userData, key, protocol, extensions, context));
  });
}
