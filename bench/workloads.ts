import type { TopicRef } from './ipc.js';

/** Sizes of every workload; `--quick` shrinks counts and durations, never the shape. */
export interface Sizes {
  readonly warmupMs: number;
  readonly w1: { readonly clients: number; readonly measureMs: number; readonly rounds: number };
  readonly w2: { readonly clients: number; readonly measureMs: number };
  readonly w3: { readonly clients: number; readonly measureMs: number };
  readonly w4: { readonly clients: number; readonly cycles: number };
  readonly w5: { readonly idleMs: number };
  readonly w6: { readonly clients: number; readonly measureMs: number };
  /** Cross-process: standalone against 1 generator -> Redis -> 2 gateways. */
  readonly w7: { readonly clients: number; readonly seconds: number; readonly intervalMs: number };
}

export const FULL: Sizes = {
  warmupMs: 1_000,
  w1: { clients: 1_000, measureMs: 4_000, rounds: 3 },
  w2: { clients: 1_000, measureMs: 10_000 },
  w3: { clients: 10_000, measureMs: 10_000 },
  w4: { clients: 100, cycles: 100_000 },
  w5: { idleMs: 10_000 },
  w6: { clients: 1_000, measureMs: 5_000 },
  w7: { clients: 1_000, seconds: 10, intervalMs: 100 },
};

export const QUICK: Sizes = {
  warmupMs: 300,
  w1: { clients: 500, measureMs: 1_500, rounds: 1 },
  w2: { clients: 500, measureMs: 1_500 },
  w3: { clients: 1_000, measureMs: 2_000 },
  w4: { clients: 50, cycles: 5_000 },
  w5: { idleMs: 2_000 },
  w6: { clients: 500, measureMs: 1_500 },
  w7: { clients: 200, seconds: 2, intervalMs: 100 },
};

/** `S000`, `S001`, ...: valid symbols for any number of topics. */
export function symbols(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `S${String(index).padStart(3, '0')}`);
}

/** Client `i` gets topic `i mod topics.length`: an even spread. */
export function spread(clients: number, topics: readonly TopicRef[]): TopicRef[][] {
  return Array.from({ length: clients }, (_, index) => [topics[index % topics.length]!]);
}

export function topicsOf(symbolList: readonly string[], resolutions: readonly string[]): TopicRef[] {
  return symbolList.flatMap((symbol) => resolutions.map((resolution) => ({ symbol, resolution })));
}
