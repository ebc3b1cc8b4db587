import { z } from 'zod';

/**
 * What the workflow sandbox evaluates once per worker thread, before any run, instead of once per
 * run (workers/workflow-bundle.ts PRELOADED_WORKFLOW_MODULES). Naming zod here keeps it: zod declares
 * itself free of side effects, so webpack drops a preload that only requires it.
 */
export const sharedZod = z;

// zod sets its defaults (English messages, the memoizer containers parse with) when it builds its
// first schema. The SDK freezes a preloaded module once it is loaded, so they must be set by then:
// a run that built the first schema could not write them.
z.object({ preloaded: z.string() });
