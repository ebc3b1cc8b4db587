import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's package puts the browser; playwright-core drives it (it never downloads a browser of its own). */
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Finds a Chromium for the dashboard's browser tests: $CHROMIUM_PATH, then `chromium` on PATH or
 * Debian's; installs Debian's package when none exists and this process may (root with apt-get),
 * saying so, so that `npm test` passes on a fresh machine by itself.
 */
export function findOrInstallChromium(say: (line: string) => void = console.log): string {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`CHROMIUM_PATH: no file at ${explicit}`);
    return explicit;
  }
  const found = onPath('chromium') || (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : '');
  if (found) return found;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    throw new Error('No Chromium for the dashboard tests: install Debian\'s package (apt-get install chromium) or set CHROMIUM_PATH');
  }
  say("Installing Debian's chromium package for the dashboard's browser tests (once per machine)…");
  const started = Date.now();
  const quiet = { stdio: ['ignore', 'ignore', 'inherit'] as ('ignore' | 'inherit')[], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-q'], quiet);
  execFileSync('apt-get', ['install', '-y', '-q', 'chromium'], quiet);
  say(`Installed Chromium in ${Math.round((Date.now() - started) / 1000)} s.`);
  return DEBIAN_CHROMIUM;
}

function onPath(command: string): string {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
}
