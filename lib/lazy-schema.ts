/**
 * A zod schema built on its first use, standing in for the schema itself (parse, shape, extend…).
 *
 * Why: Temporal's worker evaluates the workflow bundle's modules again for every workflow run (each
 * run gets its own module state), so a schema built at module load costs every run whether the run
 * uses it or not, and zod's schema construction is not cheap (bench-results/run-cost.md). Schemas
 * that workflows import but only some runs use (an Update's validator, another workflow's input)
 * are declared through this, so a run builds only what it parses.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => (built ??= build());
  // Only the traps a schema's users reach: reads, `in`, instanceof. The target stays an empty
  // extensible object, so no Proxy invariant ties it to the built schema's own properties.
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    has: (_, key) => Reflect.has(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
