import { describe, expect, it } from 'vitest';
import * as kit from '../../src/testing/index.js';

describe('the barcast/testing API', () => {
  it('exports exactly these values (widening it is a decision, made here)', () => {
    expect(Object.keys(kit).sort()).toEqual(
      [
        'DEFAULT_MAX_ACTIONS',
        'DEFAULT_MAX_FRAMES',
        'JUNK_PAYLOADS',
        'MarbleLimitError',
        'MarbleScheduler',
        'TEST_HUB_DEFAULTS',
        'TestClient',
        'createTestHub',
        'describeTopicKind',
        'errorCodeOf',
        'isReply',
        'isResponseTo',
        'isType',
        'isUpdateOf',
        'marbleDiagram',
        'marbleScheduler',
        'mockSeries',
        'startTestApp',
        'subscribedBetween',
        'testApps',
      ].sort(),
    );
  });
});
