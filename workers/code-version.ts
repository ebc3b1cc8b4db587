import { execFileSync } from 'node:child_process';

/** The git commit the worker runs, with "-dirty" when the tree has local changes; "unknown" outside git. */
export function detectCodeVersion(cwd: string = process.cwd()): string {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}
