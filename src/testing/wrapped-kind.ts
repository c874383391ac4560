import type { Observable } from 'rxjs';
import type { AnyTopicKind, TopicContext } from '../streams/topic-kind.js';

/**
 * `kind` with its stream factory wrapped, whichever it has (`create` for plain values,
 * `updates` for stamped ones): `wrap` gets the params, the context and the kind's own
 * stream. Delegates member by member (not a spread) so a kind written as a class keeps its
 * methods.
 */
export function wrappedKind(
  kind: AnyTopicKind,
  wrap: (params: unknown, context: TopicContext, source$: Observable<unknown>) => Observable<unknown>,
): AnyTopicKind {
  const rules = {
    name: kind.name,
    parse: (payload: unknown) => kind.parse(payload),
    key: (params: unknown) => kind.key(params),
    describe: (params: unknown) => kind.describe(params),
    ...(kind.rejection ? { rejection: (failure: Parameters<NonNullable<AnyTopicKind['rejection']>>[0]) => kind.rejection?.(failure) } : {}),
    ...(kind.resume ? { resume: (...args: Parameters<NonNullable<AnyTopicKind['resume']>>) => kind.resume?.(...args) ?? { recovered: false as const } } : {}),
  };
  if ('updates' in kind) return { ...rules, updates: (params, context) => wrap(params, context, kind.updates(params, context)) as ReturnType<typeof kind.updates> };
  return { ...rules, create: (params, context) => wrap(params, context, kind.create(params, context)) };
}
