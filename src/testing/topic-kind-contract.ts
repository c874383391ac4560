import { concat, type Observable, type Subscription, takeUntil, throwError, timer } from 'rxjs';
import { ERROR_CODES, type ErrorCode } from '../domain/errors.js';
import type { AnyTopicKind, ParseResult, TopicContext } from '../streams/topic-kind.js';
import type { RequestedTopic } from './hub-requests.js';
import { subscribedBetween } from './marble-diagram.js';
import { marbleScheduler, type MarbleLimits } from './marble-scheduler.js';
import type { DeepEqual, TestRunner } from './runner.js';
import { wrappedKind } from './wrapped-kind.js';
import { createTestHub, TEST_HUB_DEFAULTS, type TestHub, type TestHubOptions } from './test-hub.js';

/**
 * Payloads no kind should accept, each of which has broken a parser somewhere: not objects,
 * empty and wrong-typed containers, prototype-pollution keys, a huge string, deep nesting.
 */
export const JUNK_PAYLOADS: readonly unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  Number.NaN,
  '',
  'AAPL',
  'x'.repeat(100_000),
  [],
  [null],
  ['AAPL'],
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  JSON.parse(`${'{"a":'.repeat(1_000)}1${'}'.repeat(1_000)}`),
];

export interface TopicKindContract {
  /** The kind under test (registered in a test hub beside the built-in `bars` and `quotes`). */
  readonly kind: AnyTopicKind;
  /** `<name>.subscribe` payloads it serves, at least two, each naming a different topic. */
  readonly valid: readonly unknown[];
  /** Payloads it refuses, with the code it promises for each. */
  readonly invalid?: readonly { readonly payload: unknown; readonly code: ErrorCode }[];
  /** Payloads it must refuse with some stable code; `JUNK_PAYLOADS` unless given (`[]` for a kind that takes any payload). */
  readonly junk?: readonly unknown[];
  /** The test hub's market and the other kinds yours depends on. */
  readonly hub?: Omit<TestHubOptions, 'scheduler' | 'shutdown$'>;
  /** Virtual ms within which a freshly started topic emits its first value; the hub's bar period unless given. */
  readonly firstValueWithinMs?: number;
  readonly limits?: MarbleLimits;
}

/** The runner's `describe` and `it`, and a deep equality that throws (`(a, e) => expect(a).toEqual(e)`, `assert.deepStrictEqual`). */
export interface ContractRunner extends TestRunner {
  readonly deepEqual: DeepEqual;
}

interface Recorded {
  readonly frame: number;
  readonly kind: 'N' | 'E' | 'C';
  readonly value?: unknown;
}

/**
 * The contract every topic kind keeps, as a suite of tests: parse refuses junk with a stable
 * code and never throws, keys are stable, distinct and inside the kind's prefix, equal keys
 * share one stream, the stream stops on refcount zero (and restarts), completes on shutdown,
 * and a failing factory or stream is contained. The built-in kinds pass it.
 */
export function describeTopicKind(contract: TopicKindContract, runner: ContractRunner): void {
  const { kind, valid } = contract;
  const { describe, it, deepEqual } = runner;
  const check = (condition: boolean, message: string): void => deepEqual(condition ? message : `not: ${message}`, message, message);
  const periodMs = contract.hub?.periodMs ?? TEST_HUB_DEFAULTS.periodMs;
  const first = contract.firstValueWithinMs ?? periodMs;
  // A span in which a fresh topic has emitted: the life tests are laid out in multiples of it.
  const span = first + 1;
  if (valid.length < 2) throw new Error(`describeTopicKind(${kind.name}): give at least two valid payloads naming different topics`);

  /** Runs `body` in a marble run on a fresh test hub with the kind registered (as `registered`, if given). */
  const inHub = (body: (testHub: TestHub) => void, registered: AnyTopicKind = kind, hubOptions: Partial<TestHubOptions> = {}): TestHub => {
    const scheduler = marbleScheduler(deepEqual, contract.limits);
    let testHub: TestHub | undefined;
    scheduler.run(() => {
      testHub = createTestHub({
        ...contract.hub,
        ...hubOptions,
        scheduler,
        topicKinds: [...(contract.hub?.topicKinds ?? []).filter((other) => other.name !== kind.name), registered],
      });
      body(testHub);
    });
    return testHub as TestHub;
  };

  /** Subscribes `stream$` from `from` to `to` (or for good), recording every notification with its frame. */
  const record = (testHub: TestHub, stream$: Observable<unknown>, from: number, to?: number): Recorded[] => {
    const seen: Recorded[] = [];
    const { scheduler } = testHub;
    scheduler.schedule(() => {
      const subscription: Subscription = stream$.subscribe({
        next: (value) => seen.push({ frame: scheduler.now(), kind: 'N', value }),
        error: (error: unknown) => seen.push({ frame: scheduler.now(), kind: 'E', value: error }),
        complete: () => seen.push({ frame: scheduler.now(), kind: 'C' }),
      });
      if (to !== undefined) scheduler.schedule(() => subscription.unsubscribe(), to - from);
    }, from);
    return seen;
  };

  const openedTopic = (testHub: TestHub, payload: unknown): RequestedTopic => {
    const requested = testHub.request(kind.name, payload);
    if (!requested.ok) throw new Error(`${kind.name}.subscribe ${JSON.stringify(payload)} was refused: ${requested.error.code} ${requested.error.message}`);
    const opened = requested.topics.find((outcome) => outcome.ok);
    if (!opened?.ok) throw new Error(`${kind.name}.subscribe ${JSON.stringify(payload)} opened no topic`);
    return opened.topic;
  };

  /** Every topic the run started (the kind's and its sources') has been stopped by `frame`. */
  const expectAllStopped = (testHub: TestHub, frame: number): void => {
    for (const key of testHub.startedKeys()) {
      const open = testHub.subscriptions(key).filter((log) => log.unsubscribedFrame > frame);
      check(open.length === 0, `${key} is stopped by frame ${frame}`);
    }
  };

  describe(`topic kind ${JSON.stringify(kind.name)} keeps the topic kind contract`, () => {
    it('parse never throws on junk and refuses each with a known, stable code', () => {
      for (const payload of contract.junk ?? JUNK_PAYLOADS) {
        const label = describePayload(payload);
        const once = refusal(kind, payload);
        check(once !== undefined, `parse refuses ${label}`);
        check(ERROR_CODES.includes(once as ErrorCode), `parse refuses ${label} with a known code (got ${String(once)})`);
        deepEqual(refusal(kind, payload), once, `parse refuses ${label} with the same code twice`);
      }
    });

    it('refuses each invalid payload with its promised code', () => {
      for (const { payload, code } of contract.invalid ?? []) deepEqual(refusal(kind, payload), code, `parse refuses ${describePayload(payload)} with ${code}`);
    });

    it('makes stable keys inside its prefix, distinct for distinct topics, and JSON descriptions', () => {
      const keysOf = (payload: unknown): string[] => acceptedParams(kind, payload).map((params) => kind.key(params));
      const all = valid.map(keysOf);
      all.forEach((keys, index) => {
        const label = describePayload(valid[index]);
        check(keys.length > 0, `parse accepts ${label}`);
        deepEqual(keysOf(valid[index]), keys, `the keys of ${label} are stable`);
        for (const key of keys) check(key.startsWith(`${kind.name}:`), `key ${key} starts with "${kind.name}:"`);
        for (const params of acceptedParams(kind, valid[index])) {
          const description = kind.describe(params);
          deepEqual(JSON.parse(JSON.stringify(description)), description, `the description of ${label} survives JSON`);
        }
      });
      const flat = all.flat();
      deepEqual(new Set(flat).size, flat.length, `the valid payloads name ${flat.length} distinct topics`);
    });

    it(`emits a first value within ${first} virtual ms, and every value survives JSON`, () => {
      let seen: Recorded[] = [];
      inHub((testHub) => {
        seen = record(testHub, openedTopic(testHub, valid[0]).stream$, 0, span);
      });
      const firstValue = seen.find((notification) => notification.kind === 'N');
      check(firstValue !== undefined && firstValue.frame <= first, `a first value by frame ${first} (got ${JSON.stringify(seen.slice(0, 3))})`);
      for (const { value } of seen) deepEqual(JSON.parse(JSON.stringify(value ?? null)), value ?? null, 'the value survives JSON (it is sent as a payload)');
    });

    it('gives equal keys one shared stream, subscribed once however many subscribers overlap', () => {
      let a: Recorded[] = [];
      let b: Recorded[] = [];
      let key = '';
      inHub((testHub) => {
        const topic = openedTopic(testHub, valid[0]);
        key = topic.key;
        check(openedTopic(testHub, valid[0]).stream$ === topic.stream$, 'the same key yields the same stream');
        a = record(testHub, topic.stream$, 0, 2 * span);
        b = record(testHub, openedTopic(testHub, valid[0]).stream$, span, 3 * span);
        testHub.scheduler.expectSubscriptions(testHub.subscriptions(key)).toBe(subscribedBetween(0, 3 * span));
      });
      const before = a.filter((notification) => notification.frame < span).at(-1);
      check(before !== undefined, `${key} emitted before the second subscriber joined`);
      deepEqual(b[0], { ...before, frame: span }, 'a subscriber joining a running topic gets its latest value at once');
      const overlap = (seen: Recorded[]): Recorded[] => seen.filter(({ frame }) => frame > span && frame < 2 * span);
      deepEqual(overlap(b), overlap(a), 'overlapping subscribers see the same values');
    });

    it('stops when its last subscriber leaves, with every topic it started, and restarts on the next', () => {
      let again: Recorded[] = [];
      const testHub = inHub((hub) => {
        const { key, stream$ } = openedTopic(hub, valid[0]);
        record(hub, stream$, 0, span);
        again = record(hub, stream$, 2 * span, 3 * span);
        hub.scheduler.schedule(() => expectAllStopped(hub, span), 2 * span - 1);
        hub.scheduler.expectSubscriptions(hub.subscriptions(key)).toBe([subscribedBetween(0, span), subscribedBetween(2 * span, 3 * span)]);
      });
      expectAllStopped(testHub, 3 * span);
      check(again.some((notification) => notification.kind === 'N'), 'the restarted topic emits');
    });

    it('completes for every subscriber on shutdown, and stays completed', () => {
      let early: Recorded[] = [];
      let late: Recorded[] = [];
      inHub((testHub) => {
        const { key, stream$ } = openedTopic(testHub, valid[0]);
        early = record(testHub, stream$, 0);
        late = record(testHub, stream$, 2 * span);
        testHub.shutdownAt(span);
        testHub.scheduler.expectSubscriptions(testHub.subscriptions(key)).toBe(subscribedBetween(0, span));
        testHub.scheduler.schedule(() => expectAllStopped(testHub, span), 2 * span - 1);
      });
      deepEqual(early.at(-1), { frame: span, kind: 'C' }, 'the subscriber completes at shutdown');
      deepEqual(late, [{ frame: 2 * span, kind: 'C' }], 'a subscriber after shutdown completes at once');
    });

    it('contains a throw in its factory: reported, retried, and other topics unaffected', () => {
      let failing: Recorded[] = [];
      let other: Recorded[] = [];
      const failingOnce = failFirst(kind, () => {
        throw new Error(`${kind.name} factory failure (injected by the contract suite)`);
      });
      const testHub = inHub(
        (hub) => {
          failing = record(hub, openedTopic(hub, valid[0]).stream$, 0, 3 * span);
          other = record(hub, openedTopic(hub, valid[1]).stream$, 0, 3 * span);
        },
        failingOnce,
        { retryBaseMs: span, retryMaxMs: span },
      );
      const key = failingOnce.failedKey();
      check(testHub.events.some((event) => event.type === 'topic_error' && event.topic === key && event.frame === 0), `topic_error of ${key} at frame 0`);
      check(failing.every((notification) => notification.kind === 'N'), 'no error or completion reaches the subscriber');
      check(failing.some(({ frame }) => frame >= span && frame <= 2 * span), `the retried topic emits by frame ${2 * span}`);
      check(other.some(({ frame, kind: type }) => type === 'N' && frame <= first), 'the other topic emits on time');
    });

    it('contains an error in its stream: reported, its source released, retried', () => {
      let seen: Recorded[] = [];
      let key = '';
      const failingOnce = failFirst(kind, (source$, context) =>
        concat(source$.pipe(takeUntil(timer(span, context.scheduler))), throwError(() => new Error(`${kind.name} stream failure (injected by the contract suite)`))),
      );
      const testHub = inHub(
        (hub) => {
          const topic = openedTopic(hub, valid[0]);
          key = topic.key;
          seen = record(hub, topic.stream$, 0, 4 * span);
          hub.scheduler.expectSubscriptions(hub.subscriptions(key)).toBe([subscribedBetween(0, span), subscribedBetween(2 * span, 4 * span)]);
        },
        failingOnce,
        { retryBaseMs: span, retryMaxMs: span },
      );
      check(testHub.events.some((event) => event.type === 'topic_error' && event.topic === key && event.frame === span), `topic_error of ${key} at frame ${span}`);
      check(seen.every((notification) => notification.kind === 'N'), 'no error or completion reaches the subscriber');
      check(seen.some(({ frame }) => frame >= 2 * span && frame < 4 * span), 'the restarted topic emits');
    });
  });
}

/** The code `parse` refuses `payload` with, or undefined if it accepts it; a throw is a contract failure. */
function refusal(kind: AnyTopicKind, payload: unknown): string | undefined {
  let result: ParseResult<unknown>;
  try {
    result = kind.parse(payload);
  } catch (error) {
    throw new Error(`${kind.name}.parse threw on ${describePayload(payload)} (it must return { ok: false, error }): ${String(error)}`, { cause: error });
  }
  if (!result.ok) return result.error.code;
  if ('requests' in result && result.requests.every((request) => !request.ok)) return result.requests[0]?.ok === false ? result.requests[0].error.code : 'EMPTY';
  return undefined;
}

function acceptedParams(kind: AnyTopicKind, payload: unknown): unknown[] {
  const result = kind.parse(payload);
  if (!result.ok) return [];
  return 'params' in result ? [result.params] : result.requests.flatMap((request) => (request.ok ? [request.params] : []));
}

function describePayload(payload: unknown): string {
  const text = payload === undefined ? 'undefined' : Number.isNaN(payload) ? 'NaN' : JSON.stringify(payload);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * `kind` whose first created stream fails as `fail` makes it (given the real stream); later
 * ones are the kind's own. Remembers the key that failed.
 */
function failFirst(
  kind: AnyTopicKind,
  fail: (source$: Observable<unknown>, context: TopicContext) => Observable<unknown>,
): AnyTopicKind & { failedKey(): string } {
  let failed: string | undefined;
  const failing = wrappedKind(kind, (params, context, source$) => {
    if (failed !== undefined) return source$;
    failed = kind.key(params);
    return fail(source$, context);
  });
  return Object.assign(failing, { failedKey: () => failed ?? '(none)' });
}
