// Module loading hook (node:module register), run on the loader's own thread as plain JavaScript.
// A team's trainer module may live anywhere, often in a folder with no package.json. Node would
// read a .js file there as CommonJS, and tsx compiles a .ts file there to CommonJS: `export`
// works by luck, top-level await and import.meta do not. Trainers are ES modules by contract, so
// a script with no package.json above it is loaded as one. Files under a package.json keep the
// format that package declares.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = /\.(?:ts|tsx|js|jsx)$/;

/** Folder → whether neither it nor any folder above it holds a package.json. */
const unpackaged = new Map();

function withoutPackageJson(dir) {
  const known = unpackaged.get(dir);
  if (known !== undefined) return known;
  const parent = path.dirname(dir);
  const answer = !existsSync(path.join(dir, 'package.json')) && (parent === dir || withoutPackageJson(parent));
  unpackaged.set(dir, answer);
  return answer;
}

/** A .ts file resolves without a format where no TypeScript loader runs: it is left for Node to refuse. */
function understood(url, context) {
  return context.format !== undefined && context.format !== null || /\.jsx?$/.test(new URL(url).pathname);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && SCRIPT.test(new URL(url).pathname) && understood(url, context) && withoutPackageJson(path.dirname(fileURLToPath(url)))) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
