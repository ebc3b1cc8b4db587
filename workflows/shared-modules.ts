import { z } from 'zod';

/**
 * What the workflow sandbox evaluates once per worker thread, before any run, instead of once per
 * run (workers/workflow-bundle.ts PRELOADED_WORKFLOW_MODULES). Naming zod here keeps it: zod declares
 * itself free of side effects, so webpack drops a preload that only requires it.
 *
 * The SDK then freezes zod. A frozen zod still builds and parses schemas, but a string format that
 * tests one of zod's shared regular expressions (z.iso.date, z.email, …) writes to it and throws:
 * ESLint refuses those in workflows/ and lib/ (eslint.config.js).
 */
export const sharedZod = z;

// zod sets its defaults (English messages, the memoizer containers parse with) when it builds its
// first schema, and learns whether it may compile code on the first parse. The SDK freezes a
// preloaded module once it is loaded, so all of that must be settled by then: a run could not write it.
z.object({ preloaded: z.string() }).parse({ preloaded: 'yes' });
