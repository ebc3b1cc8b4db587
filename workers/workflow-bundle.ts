import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundlePath } from '@temporalio/worker';
import { z } from 'zod';

/** The workflows' entry: every workflow the worker registers. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Modules the workflow sandbox evaluates once per worker thread instead of once per run. The worker
 * evaluates the bundle's modules again for every workflow run (each run gets its own module state),
 * and zod's own evaluation (its classes and tables) was the largest part of that, with the garbage it
 * leaves, twice per pipeline run (its training is a child run). zod keeps no per-run state (schemas
 * are built by the runs that use them), so sharing it cannot leak one run's state into another.
 */
export const PRELOADED_WORKFLOW_MODULES = [fileURLToPath(new URL('../workflows/shared-modules.ts', import.meta.url))];

// Generated, ignored by git: the workflows as the worker's sandbox runs them (its source map inline),
// and beside it the files that went into it with their content hashes.
const BUILD_DIR = fileURLToPath(new URL('../.driftline/build/', import.meta.url));
export const WORKFLOW_BUNDLE_PATH = path.join(BUILD_DIR, 'workflow-bundle.js');
const SOURCES_PATH = path.join(BUILD_DIR, 'workflow-bundle.sources.json');

/** Every file webpack put into the bundle (workflows/, the lib/ files they import, the SDK's workflow runtime, zod), and this builder, with its SHA-256. */
const BundleSources = z.record(z.string(), z.string());
type BundleSources = z.infer<typeof BundleSources>;

/**
 * The prebuilt workflow bundle, built first when missing or stale. Bundling with webpack at worker
 * start costs seconds and leaves its heap behind in the worker (bench-results/worker-start.md).
 * Fresh means every file the last build read still has the content it had: the list comes from the
 * bundle's own source map, so it is exactly what the workflows import, an edit anywhere in it (or an
 * SDK upgrade) rebuilds, and a checkout that only touches modification times does not.
 */
export async function prebuiltWorkflowBundle(say: (line: string) => void): Promise<WorkflowBundlePath> {
  const stale = staleSource();
  if (stale !== undefined) {
    say(`building the workflow bundle (${stale}): ${path.relative(process.cwd(), WORKFLOW_BUNDLE_PATH)}`);
    await buildWorkflowBundle();
  }
  return { codePath: WORKFLOW_BUNDLE_PATH };
}

/** Why the bundle needs building (no bundle yet, or the first changed file), or undefined when it is fresh. */
export function staleSource(): string | undefined {
  if (!existsSync(WORKFLOW_BUNDLE_PATH) || !existsSync(SOURCES_PATH)) return 'none built yet';
  const recorded = BundleSources.safeParse(JSON.parse(readFileSync(SOURCES_PATH, 'utf8')));
  if (!recorded.success) return 'unreadable source list';
  const changed = Object.entries(recorded.data).find(([file, hash]) => !existsSync(file) || hashOf(readFileSync(file)) !== hash);
  return changed ? `${path.relative(process.cwd(), changed[0])} changed` : undefined;
}

/** Bundles workflows/ with webpack and writes the bundle and its source list. */
export async function buildWorkflowBundle(): Promise<void> {
  const { code, sourceMap } = splitInlineSourceMap((await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: PRELOADED_WORKFLOW_MODULES, logger: quietBundlerLogger })).code);
  // The map keeps what stack traces need (file, line, column); the copies of the sources it carries
  // (two thirds of it) cost the worker about 35 MB held at idle, and the SDK reads them only when
  // the worker option showStackTraceSources is on, which Driftline leaves off.
  const lean = { ...sourceMap, sourcesContent: undefined };
  mkdirSync(BUILD_DIR, { recursive: true });
  // Written under a temporary name and renamed: workers that start together may build at once, and
  // none of them must load a half-written file.
  writeAtomically(WORKFLOW_BUNDLE_PATH, `${code}${INLINE_MAP_PREFIX}${Buffer.from(JSON.stringify(lean)).toString('base64')}\n`);
  writeAtomically(SOURCES_PATH, JSON.stringify(filesOf(sourceMap), null, 1));
}

const INLINE_MAP_PREFIX = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';
const SourceMap = z.looseObject({ sources: z.array(z.string()), sourcesContent: z.array(z.string().nullable()).optional() });

/** webpack's bundle: the code, and the source map it inlines at the end. */
function splitInlineSourceMap(bundle: string): { code: string; sourceMap: z.infer<typeof SourceMap> } {
  const at = bundle.lastIndexOf(INLINE_MAP_PREFIX);
  if (at < 0) throw new Error('the workflow bundle has no inline source map to list its files');
  const sourceMap = SourceMap.parse(JSON.parse(Buffer.from(bundle.slice(at + INLINE_MAP_PREFIX.length).trim(), 'base64').toString()));
  return { code: bundle.slice(0, at), sourceMap };
}

/**
 * The sources that are files on disk (webpack's runtime and generated entry are not), hashed as
 * webpack read them (the map's copy), so a file edited while the build ran counts as changed; and
 * this file, which decides how the bundle is built.
 */
function filesOf({ sources, sourcesContent }: z.infer<typeof SourceMap>): BundleSources {
  const read = sources.flatMap((file, index) => (path.isAbsolute(file) && existsSync(file) ? [[file, hashOf(sourcesContent?.[index] ?? readFileSync(file))]] : []));
  const builder = fileURLToPath(import.meta.url);
  return Object.fromEntries([...read, [builder, hashOf(readFileSync(builder))]]);
}

function hashOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

// Webpack's progress lines would bury the worker's own; its warnings and errors still show.
export const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
