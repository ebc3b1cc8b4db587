import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DriftlineError } from '../../errors';
import type { DataSource } from '../source-spec';

/** The absolute path of a source's file on this machine. */
export function resolveSourcePath(source: Extract<DataSource, { kind: 'file' | 'package-file' }>, specDir: string): string {
  switch (source.kind) {
    case 'file':
      return path.resolve(specDir, source.path);
    case 'package-file':
      return path.join(findPackageRoot(source.package), source.path);
  }
}

/**
 * Finds an installed package's folder. Packages such as vega-datasets block deep imports
 * with an `exports` map, so we resolve the entry point and walk up to its package.json.
 */
function findPackageRoot(packageName: string): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch {
    throw new DriftlineError('InvalidInput', `source.package: npm package "${packageName}" is not installed`);
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === packageName) {
      return dir;
    }
  }
  throw new DriftlineError('InvalidInput', `source.package: cannot find the folder of package "${packageName}"`);
}
