import type { Command } from 'commander';
import { redactUrl } from '../../../lib/config';
import type { CliContext } from '../context';

export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('Create the database if needed and apply pending migrations.')
    .addHelpText('after', '\nExample:\n  DATABASE_URL=postgres://driftline@db/driftline driftline migrate')
    .action(async () => {
      const url = ctx.config.DATABASE_URL;
      // Loaded here, not at start: the migration runner would slow every other command's start.
      const { ensureDatabase, migrateUp } = await import('../../../lib/db/migrate');
      await ensureDatabase(url);
      const applied = await migrateUp(url);
      console.log(`${redactUrl(url)}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
    });
}
