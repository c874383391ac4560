import { ratioTarget } from '../report.js';
import { spread, symbols, topicsOf } from '../topics.js';
import { defineWorkload } from '../workload.js';

/** W1, fan-out saturation: every client on one topic at a 1 ms interval, so the server is always behind. */
export const saturation = defineWorkload({
  ids: ['W1'],
  full: { clients: 1_000, warmupMs: 1_000, measureMs: 4_000, rounds: 3 },
  quick: { clients: 500, warmupMs: 300, measureMs: 1_500, rounds: 1 },
  async run(bench, size) {
    const rows = await bench.fanoutAcrossServers('W1 saturation', {
      symbols: symbols(1), resolutions: ['1'], intervalMs: 1,
      clients: spread(size.clients, topicsOf(symbols(1), ['1'])),
      warmupMs: size.warmupMs, measureMs: size.measureMs, sampleEvery: 64,
    }, size.rounds);
    const delivered = (row: { deliveredPerSecond: number }): number => row.deliveredPerSecond;
    const cpu = (row: { cpuUsPerMessage: number }): number => row.cpuUsPerMessage;
    return {
      fanout: { W1: rows },
      targets: [
        ...ratioTarget('W1', rows, 'raw', 'msgs/s', delivered, 'higher', 0.9),
        ...ratioTarget('W1', rows, 'raw', 'CPU/msg', cpu, 'lower', 1.15),
        ...ratioTarget('W1', rows, 'socketio', 'msgs/s', delivered, 'higher', 1.5),
        // Issue 15: at least as much as uWebSockets.js, at no more CPU per message.
        ...ratioTarget('W1', rows, 'uws', 'msgs/s', delivered, 'higher', 1),
        ...ratioTarget('W1', rows, 'uws', 'CPU/msg', cpu, 'lower', 1),
        // Issue 15, road 2: the same, with barcast's WebSocket on uWebSockets.js.
        ...ratioTarget('W1', rows, 'uws', 'msgs/s', delivered, 'higher', 1, 'barcast-uws'),
        ...ratioTarget('W1', rows, 'uws', 'CPU/msg', cpu, 'lower', 1, 'barcast-uws'),
      ],
    };
  },
});
