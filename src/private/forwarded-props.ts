import { IConstruct } from 'constructs';

/**
 * How a part names the props that a composing construct forwarded to it from one of its own props, so that an error
 * names the prop as the user wrote it: `MultiRegionPostgres` passes its `objectives` to a `ResilienceObjectives`,
 * whose `regionFailure.rto` the user wrote as `objectives.regionFailure.rto`.
 *
 * The composing construct registers the prefix for the path of the part it is about to create; the part reads it
 * for its own path. Paths are unique in an app, so a prefix never reaches another construct.
 */
const prefixes = new Map<string, string>();

/** Registers `prefix` (such as `objectives.`) for the construct that will be created at `scope`/`id`. */
export function forwardPropsAs(scope: IConstruct, id: string, prefix: string): void {
  prefixes.set(`${scope.node.path}/${id}`, prefix);
}

/** The prefix registered for `part`, or an empty string: the part's props are then the user's own. */
export function forwardedPropPrefix(part: IConstruct): string {
  return prefixes.get(part.node.path) ?? '';
}
