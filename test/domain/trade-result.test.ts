import { describe, expect, it } from 'vitest';
import { requestError } from '../../src/domain/errors.js';
import { ACCEPTED, DUPLICATE, refused, resultCounts, resultsByOutcome } from '../../src/domain/trade-result.js';

describe('a publish, counted', () => {
  const results = [ACCEPTED, refused(requestError('NEGATIVE_SIZE')), DUPLICATE, ACCEPTED, refused(requestError('TRADE_TOO_LATE')), refused(requestError('NEGATIVE_SIZE'))];

  it('counts accepted, duplicates and refused, as a response says', () => {
    expect(resultCounts(results)).toEqual({ accepted: 2, duplicates: 1, refused: 3 });
  });

  it('counts each outcome, a refusal by its code, as the trades metric labels it', () => {
    expect(resultsByOutcome(results)).toEqual({ accepted: 2, duplicate: 1, NEGATIVE_SIZE: 2, TRADE_TOO_LATE: 1 });
    expect(resultsByOutcome([])).toEqual({});
  });
});
