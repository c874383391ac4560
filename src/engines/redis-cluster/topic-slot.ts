import calculateSlot from 'cluster-key-slot';
import { topicClusterKeys } from '../redis/keys.js';

/** The cluster slot (0..16383) of every key of `topic`, and of its sharded channel. */
export function topicSlot(topic: string): number {
  return calculateSlot(topicClusterKeys(topic).channel);
}
