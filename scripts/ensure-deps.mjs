// Plain JavaScript on purpose: it runs before dependencies (and so tsx) exist on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('▸ Installing dependencies…');
  // Falls back to `npm install` where the registry lacks other platforms' optional packages (see .ci/run).
  try {
    execSync('npm ci --no-audit --no-fund', { stdio: ['ignore', 'inherit', 'ignore'] });
  } catch {
    execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
  }
}
