/**
 * barcast/testing: the tools barcast's own tests stand on, for people who extend barcast.
 * Runner-neutral: the assertion and `describe`/`it` are passed in (vitest, jest, node:test).
 */

// Marbles: a TestScheduler that fails fast, with a name, on a stream that never ends.
export { marbleScheduler, MarbleScheduler, MarbleLimitError, DEFAULT_MAX_ACTIONS, DEFAULT_MAX_FRAMES, type MarbleLimits } from './marble-scheduler.js';
export { marbleDiagram, subscribedBetween, type MarbleDiagram, type TimedValue } from './marble-diagram.js';
export type { DeepEqual, TestRunner } from './runner.js';

// A hub on virtual time: the built-in kinds and yours, with every topic's source subscriptions logged.
export { createTestHub, TEST_HUB_DEFAULTS, type SourceSubscription, type TestHub, type TestHubEvent, type TestHubOptions } from './test-hub.js';
export type { RequestedOutcome, RequestedTopic, RequestedTopics } from './hub-requests.js';

// Deterministic bars: the mock series at any virtual time, as values, marbles or a cold observable.
export { mockSeries, type MockSeries, type MockSeriesOptions } from './mock-series.js';

// The topic kind contract: a standard suite any kind (the built-in ones included) passes.
export { describeTopicKind, JUNK_PAYLOADS, type ContractRunner, type TopicKindContract } from './topic-kind-contract.js';

// End to end: the real app on port 0 and a client that awaits typed messages.
export { startTestApp, testApps, type TestApp, type TestAppOptions, type TestApps } from './test-app.js';
export { TestClient, type WaitOptions } from './test-client.js';
export {
  errorCodeOf,
  isReply,
  isResponseTo,
  isType,
  isUpdateOf,
  type RequestId,
  type ResponseMessage,
  type ResponsePayload,
  type ServerMessage,
  type UpdateMessage,
} from './server-messages.js';
