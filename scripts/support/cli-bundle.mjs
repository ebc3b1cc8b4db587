// Plain JavaScript on purpose: the `driftline` executable calls it before anything TypeScript loads.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD_DIR = path.join(ROOT, '.driftline/build');
const ENTRY = path.join(ROOT, 'scripts/cli/main.ts');
const BUNDLES_DIR = path.join(BUILD_DIR, 'cli');
// Names the current build's folder and the sources it was built from.
const MANIFEST_PATH = path.join(BUILD_DIR, 'cli.json');

/**
 * The CLI compiled to JavaScript, rebuilt first when missing or stale. Running it from source made
 * tsx compile and resolve some 200 TypeScript files at every start (1.5–2 s before `--help` could
 * answer). Fresh means every source the last build read, and this builder, still has the content it
 * had. Returns the file URL of the build's entry.
 */
export async function freshCliBundle(say) {
  const manifest = readManifest();
  const stale = staleSource(manifest);
  if (stale === undefined) return pathToFileURL(manifest.entry).href;
  say(`building the driftline CLI (${stale}) into ${path.relative(process.cwd(), BUNDLES_DIR)}`);
  return pathToFileURL(await buildCliBundle()).href;
}

/** Why the build needs redoing, or undefined when it is fresh. */
function staleSource(manifest) {
  if (manifest === undefined || !existsSync(manifest.entry)) return 'none built yet';
  const changed = Object.entries(manifest.sources).find(([file, hash]) => !existsSync(file) || hashOf(readFileSync(file)) !== hash);
  return changed ? `${path.relative(process.cwd(), changed[0])} changed` : undefined;
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Bundles scripts/cli/main.ts and what it imports from the project (packages stay imports of
 * node_modules), split where a command loads its heavy part on demand (worker, dashboard,
 * migrations), so no command pays for another's. Each build goes to a folder of its own, named in
 * the manifest once complete: CLIs started together may build at once, and none loads half a build.
 */
export async function buildCliBundle() {
  const { build } = await import('esbuild');
  const outdir = path.join(BUNDLES_DIR, `${Date.now()}-${process.pid}`);
  const result = await build({
    entryPoints: { main: ENTRY },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    metafile: true,
    logLevel: 'warning',
    plugins: [keepSourceLocations],
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => path.resolve(ROOT, file));
  const sources = Object.fromEntries([...inputs, fileURLToPath(import.meta.url)].map((file) => [file, hashOf(readFileSync(file))]));
  const entry = path.join(outdir, 'main.js');
  writeAtomically(MANIFEST_PATH, JSON.stringify({ entry, sources }, null, 1));
  removeOlderBuilds(outdir);
  return entry;
}

/**
 * Earlier builds are unused once the manifest names a newer one, but a CLI that started from one a
 * moment ago may still load its on-demand parts: builds are removed once ten minutes old.
 */
function removeOlderBuilds(current) {
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of readdirSync(BUNDLES_DIR)) {
    const dir = path.join(BUNDLES_DIR, name);
    if (dir !== current && statSync(dir).mtimeMs < cutoff) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each module finds its files (migrations, assets, built-in pipelines, thread entries) relative to
 * its own `import.meta.url`; in one bundle they would all resolve from the bundle. Every source's
 * `import.meta.url` is therefore replaced by its own file's URL: the bundle is built on this machine,
 * for this checkout, and rebuilt when a source changes.
 */
const keepSourceLocations = {
  name: 'keep-source-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

function hashOf(content) {
  return createHash('sha256').update(content).digest('hex');
}

function writeAtomically(file, content) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

// `npm run build:cli`: build now (when stale) rather than on the next start.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entry = await freshCliBundle((line) => console.log(line));
  console.log(`driftline CLI up to date: ${path.relative(process.cwd(), fileURLToPath(entry))}`);
}
