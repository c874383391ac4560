import type { TopicRef } from './ipc.js';

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
