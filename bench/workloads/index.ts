import type { RegisteredWorkload } from '../workload.js';
import { saturation } from './w1-saturation.js';
import { latency } from './w2-latency.js';
import { scale } from './w3-scale.js';
import { churnThenIdle } from './w4-churn-w5-idle.js';
import { multiTopic } from './w6-multi-topic.js';
import { cluster } from './w7-cluster.js';
import { history } from './w8-history.js';
import { redisCluster } from './w9-redis-cluster.js';
import { storm } from './w10-storm.js';
import { sweep } from './sweep.js';
import { aggregation } from './t1-aggregation.js';
import { durable } from './t2-durable.js';
import { tradesEndToEnd } from './t3-trades-e2e.js';

/** Every workload of `npm run bench`, in the order they run: a new one is its module plus one line here. */
export const WORKLOADS: readonly RegisteredWorkload[] = [saturation, latency, scale, churnThenIdle, multiTopic, cluster, history, redisCluster, storm, sweep, aggregation, durable, tradesEndToEnd];
