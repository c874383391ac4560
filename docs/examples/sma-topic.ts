import { BARS_TOPIC, requestError, sma, type IndicatorPoint, type TopicKind } from 'barcast';

export interface SmaParams {
  readonly symbol: string;
  readonly length: number;
}

/** `sma.subscribe {"symbol":"AAPL","length":20}`: the moving average of AAPL's 1-minute closes. */
export function smaTopicKind(symbols: readonly string[]): TopicKind<SmaParams, IndicatorPoint> {
  return {
    name: 'sma',
    parse(payload) {
      const { symbol, length }: { symbol?: unknown; length?: unknown } = typeof payload === 'object' && payload !== null ? payload : {};
      if (typeof symbol !== 'string' || !symbols.includes(symbol)) {
        return { ok: false, error: requestError('UNKNOWN_SYMBOL', `symbol must be one of ${symbols.join(', ')}`) };
      }
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > 200) {
        return { ok: false, error: requestError('INVALID_PAYLOAD', 'length must be an integer from 1 to 200') };
      }
      return { ok: true, params: { symbol, length } };
    },
    key: ({ symbol, length }) => `sma:${symbol}:${length}`,
    describe: ({ symbol, length }) => ({ symbol, length }),
    create: ({ symbol, length }, context) => context.stream(BARS_TOPIC, { symbol, resolution: '1' }).pipe(sma(length)),
  };
}
