import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const UPLOT_DIST = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
const OWN_ASSETS = fileURLToPath(new URL('../../lib/dashboard/assets/', import.meta.url));

/** Every file the pages load, from the installed uPlot package and lib/dashboard/assets: no network needed. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'uPlot.iife.min.js': { file: path.join(UPLOT_DIST, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: path.join(UPLOT_DIST, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'charts.js': { file: path.join(OWN_ASSETS, 'charts.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: path.join(OWN_ASSETS, 'dashboard.css'), type: 'text/css; charset=utf-8' },
};

/** Read once at start: a fixed list, so no request path ever reaches the file system. */
export function registerAssets(app: FastifyInstance): void {
  for (const [name, { file, type }] of Object.entries(ASSETS)) {
    const content = readFileSync(file);
    app.get(`/assets/${name}`, (_request, reply) => reply.header('content-type', type).header('cache-control', 'public, max-age=3600').send(content));
  }
}
