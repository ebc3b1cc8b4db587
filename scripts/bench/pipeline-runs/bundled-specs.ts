import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_IN_PIPELINES_DIR } from '../../../lib/spec/load-spec';

/** The bundled pipeline the load benchmarks run: us-employment, 120 rows, ridge. */
export const BUNDLED_PIPELINE = 'us-employment';

/**
 * The bundled spec under each name, with a model of the same name, in a new folder: every run is
 * a first run (no champion to race or compare with), so each one does the same work.
 */
export function writeBundledSpecs(names: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-runs-'));
  const bundled = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, `${BUNDLED_PIPELINE}.json`), 'utf8')) as { model: object };
  for (const name of names) {
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ ...bundled, name, model: { ...bundled.model, name: `${name}-model` } }));
  }
  return dir;
}

/** `prefix-01`, `prefix-02`, … */
export function runNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
}
