import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Temporal CLI release that carries the dev server and Web UI and still go-installs cleanly. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

/** Outside the repository, so every clone and CI run on this machine reuses one build. */
export const TEMPORAL_CACHE_DIR = process.env.DRIFTLINE_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'driftline');

/**
 * Finds a `temporal` binary: $TEMPORAL_CLI_PATH, then PATH, then the cache; builds it with
 * `go install` into the cache when none exists (a few minutes the first time).
 */
export function findOrBuildTemporal(say: (line: string) => void = console.log): string {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH: no file at ${explicit}`);
    return explicit;
  }
  const onPath = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const cached = path.join(TEMPORAL_CACHE_DIR, 'bin', 'temporal');
  if (existsSync(cached)) return cached;
  return buildTemporal(cached, say);
}

function buildTemporal(target: string, say: (line: string) => void): string {
  const go = spawnSync('sh', ['-c', 'command -v go || ls /usr/local/go/bin/go'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!go) throw new Error('No temporal binary found and no Go toolchain to build one: install Go, or put temporal on PATH');
  mkdirSync(path.dirname(target), { recursive: true });
  say(`Building the Temporal CLI (${TEMPORAL_CLI_MODULE}) into ${path.dirname(target)}: a few minutes, once per machine…`);
  const started = Date.now();
  execFileSync(go, ['install', TEMPORAL_CLI_MODULE], {
    env: { ...process.env, GOBIN: path.dirname(target), GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  say(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s.`);
  return target;
}
