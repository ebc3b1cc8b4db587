import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context';
import { parseOptions } from '../usage-error';

const ServeOptions = z
  .object({
    port: z.coerce.number().int().min(0).max(65_535).default(8400),
    host: z.string().min(1).default('127.0.0.1'),
    maxRows: z.coerce.number().int().min(1).max(100_000).default(1_000),
    maxBodyBytes: z.coerce.number().int().min(1_024).max(256 * 1024 * 1024).default(1024 * 1024),
    pollMs: z.coerce.number().int().min(100).max(600_000).default(2_000),
    log: z.boolean().default(true),
  })
  .strict();

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Serve online predictions of each model\'s champion over HTTP until Ctrl-C; every prediction is logged. Open to anyone who can reach it unless DRIFTLINE_SERVE_TOKEN is set.')
    .option('--port <n>', 'port to listen on', '8400')
    .option('--host <address>', 'address to bind; the default keeps it on this machine', '127.0.0.1')
    .option('--max-rows <n>', 'most rows in one request (more: 413)', '1000')
    .option('--max-body-bytes <n>', 'largest request body (more: 413)', String(1024 * 1024))
    .option('--poll-ms <n>', 'how often to check whether a champion moved', '2000')
    .option('--no-log', 'do not log predictions (only to measure what logging costs)')
    .addHelpText(
      'after',
      '\nExample:\n  DRIFTLINE_SERVE_TOKEN=$(openssl rand -hex 16) driftline serve --port 8400\n  curl -H "Authorization: Bearer $DRIFTLINE_SERVE_TOKEN" -d \'[{"month":"2015-12-01", …}]\' -H "content-type: application/json" http://127.0.0.1:8400/v1/models/us-employment-nonfarm-change/predict',
    )
    .action(async (raw: unknown) => {
      const options = parseOptions(ServeOptions, raw);
      // Loaded here, not at start: the web server would slow every other command's start.
      const { startServing } = await import('../../../workers/serving/start');
      const server = await startServing(ctx.config, {
        host: options.host,
        port: options.port,
        limits: { rows: options.maxRows, bodyBytes: options.maxBodyBytes },
        pollMs: options.pollMs,
        logPredictions: options.log,
      });
      const auth = ctx.config.DRIFTLINE_SERVE_TOKEN ? 'bearer token required' : 'open: no DRIFTLINE_SERVE_TOKEN';
      console.log(`Serving predictions at ${server.url}/v1/models/<model>/predict (${auth}; predictions ${options.log ? 'logged' : 'NOT logged'}); Ctrl-C stops it.`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await server.close();
    });
}
