import { execFileSync } from 'node:child_process';

/** The process runs: a zombie still answers signal 0, but it holds no CPU or memory, so it counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !execFileSync('ps', ['-o', 'stat=', '-p', String(pid)]).toString().includes('Z');
  } catch {
    return false;
  }
}
