import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context';
import { parseOptions } from '../usage-error';

const DashboardOptions = z.object({
  port: z.coerce.number().int().min(0).max(65_535).default(8300),
  host: z.string().min(1).default('127.0.0.1'),
});

export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  program
    .command('dashboard')
    .description('Serve the dashboard (overview, models, drift reports, runs, data) until Ctrl-C. Read-only unless DRIFTLINE_DASHBOARD_TOKEN is set.')
    .option('--port <n>', 'port to listen on', '8300')
    .option('--host <address>', 'address to bind; the default keeps it on this machine', '127.0.0.1')
    .addHelpText('after', '\nExample:\n  DRIFTLINE_DASHBOARD_TOKEN=$(openssl rand -hex 16) driftline dashboard --port 8300')
    .action(async (raw: unknown) => {
      const options = parseOptions(DashboardOptions, raw);
      // Loaded here, not at start: the web server would slow every other command's start.
      const { startDashboard } = await import('../../../workers/dashboard/start');
      const dashboard = await startDashboard(ctx.config, options);
      console.log(`Dashboard at ${dashboard.url} (${ctx.config.DRIFTLINE_DASHBOARD_TOKEN ? 'actions need the token' : 'read-only: no DRIFTLINE_DASHBOARD_TOKEN'}); Ctrl-C stops it.`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await dashboard.close();
    });
}
