import type { Command } from 'commander';
import { z } from 'zod';
import { rollbackChampion } from '../../../lib/promotion/rollback';
import { Person } from '../../../lib/people/person';
import { output, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions } from '../usage-error';

const RollbackOptions = z.object({
  model: z.string().min(1),
  toVersion: z.coerce.number().int().positive().optional(),
  expectChampion: z.coerce.number().int().positive().optional(),
  reason: z.string().trim().min(1, { message: 'says why' }),
  by: Person,
  json: z.boolean().default(false),
});

export function registerRollbackCommand(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('Make a previous version champion again (default: the one before the current champion). Audited.')
    .requiredOption('-m, --model <name>', 'the registered model')
    .option('--to-version <n>', 'the version to restore')
    .option('--expect-champion <n>', 'the champion you mean to replace; refused if another is champion by then (default: the champion when the command starts)')
    .requiredOption('--reason <text>', 'why; written to the audit log')
    .option(...BY_OPTION)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  driftline rollback --model us-employment-nonfarm-change --to-version 3 --reason "v4 overshoots after the strike"')
    .action(async (raw: { by?: string }) => {
      const { json, model, toVersion, expectChampion, reason, by } = parseOptions(RollbackOptions, { ...raw, by: raw.by ?? currentUser() });
      const result = await rollbackChampion(ctx.pool, { model, toVersion, expectedChampion: expectChampion, reason, by });
      output(json, result, () =>
        result.changed ? `${model}: champion is now version ${result.version} (was ${result.replaced === null ? 'none' : `version ${result.replaced}`})` : `${model}: version ${result.version} already is champion; nothing changed`,
      );
    });
}
