/**
 * Dynamic config for every Temporal dev server Driftline starts (the demo, the tests, the
 * benchmarks). A dev server keeps all its workflows on one history shard, and a shard reads its
 * task queues at most 20 times a second by default: on a busy dev server every workflow and
 * activity task then waits up to 50 ms before a worker can take it (measured: a workflow with one
 * activity took 150 ms run after run, 25 ms with these values). A production cluster spreads its
 * workflows over hundreds of shards and never meets this pace. The readers only read when told
 * there is a task, so the higher ceiling costs an idle server nothing.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number>> = {
  // Hands workflow and activity tasks to matching.
  'history.transferProcessorMaxPollRPS': 1000,
  // Fires timers: a workflow's sleep or wait with a deadline, activity timeouts, retry backoff.
  'history.timerProcessorMaxPollRPS': 1000,
  // Makes runs and their search attributes visible to lists (the UI, `temporal workflow list`).
  'history.visibilityProcessorMaxPollRPS': 1000,
};

/** The config as `temporal server start-dev` flags. */
export function devServerConfigArgs(): string[] {
  return Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);
}
