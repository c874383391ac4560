import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasTopic, topicCount, topicList, withoutTopic, withTopic, type SubscribedTopics } from '../../../src/transport/ws/subscribed-topics.js';

describe('subscribed topics', () => {
  it('behaves as a Set of keys under any sequence of adds and removes', () => {
    const step = fc.record({ add: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', 'd') });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.constantFrom('a', 'b', 'c', 'd', 'e'), (steps, probe) => {
        let topics: SubscribedTopics;
        const model = new Set<string>();
        for (const { add, key } of steps) {
          topics = add ? withTopic(topics, key) : withoutTopic(topics, key);
          if (add) model.add(key);
          else model.delete(key);
        }
        expect(topicList(topics)).toEqual([...model]);
        expect(topicCount(topics)).toBe(model.size);
        expect(hasTopic(topics, probe)).toBe(model.has(probe));
      }),
    );
  });

  it('keeps a single topic as the key itself, and makes a Set only for a second one', () => {
    const one = withTopic(undefined, 'bars:AAPL:1');
    expect(one).toBe('bars:AAPL:1');
    expect(withTopic(one, 'bars:AAPL:1')).toBe('bars:AAPL:1');
    expect(withTopic(one, 'bars:MSFT:1')).toEqual(new Set(['bars:AAPL:1', 'bars:MSFT:1']));
    expect(withoutTopic(one, 'bars:AAPL:1')).toBeUndefined();
  });
});
