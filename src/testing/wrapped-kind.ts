import type { Observable } from 'rxjs';
import type { AnyTopicKind, TopicContext } from '../streams/topic-kind.js';

/**
 * `kind` with its stream factory wrapped: `create` gets the params, the context and the
 * kind's own stream. Delegates member by member (not a spread) so a kind written as a class
 * keeps its methods.
 */
export function wrappedKind(
  kind: AnyTopicKind,
  create: (params: unknown, context: TopicContext, source$: Observable<unknown>) => Observable<unknown>,
): AnyTopicKind {
  return {
    name: kind.name,
    parse: (payload) => kind.parse(payload),
    key: (params) => kind.key(params),
    describe: (params) => kind.describe(params),
    create: (params, context) => create(params, context, kind.create(params, context)),
    ...(kind.rejection ? { rejection: (failure) => kind.rejection?.(failure) } : {}),
  };
}
