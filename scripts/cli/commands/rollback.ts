import type { Command } from 'commander';
import { z } from 'zod';
import { getVersion, previousChampionId, setAlias, versionIdOf } from '../../../lib/db/model-registry';
import { output, type CliContext } from '../context';
import { parseOptions, UsageError } from '../usage-error';

const RollbackOptions = z.object({
  model: z.string().min(1),
  toVersion: z.coerce.number().int().positive().optional(),
  reason: z.string().trim().min(1, { message: 'says why' }),
  by: z.string().trim().min(1, { message: 'names who rolls back' }),
  json: z.boolean().default(false),
});

export function registerRollbackCommand(program: Command, ctx: CliContext): void {
  program
    .command('rollback')
    .description('Make a previous version champion again (default: the one before the current champion). Audited.')
    .requiredOption('-m, --model <name>', 'the registered model')
    .option('--to-version <n>', 'the version to restore')
    .requiredOption('--reason <text>', 'why; written to the audit log')
    .option('--by <name>', 'who rolls back (default: $USER)', process.env.USER)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  driftline rollback --model us-employment-nonfarm-change --to-version 3 --reason "v4 overshoots after the strike"')
    .action(async (raw: unknown) => {
      const options = parseOptions(RollbackOptions, raw);
      const versionId = options.toVersion ? await versionIdOf(ctx.pool, options.model, options.toVersion) : await previousChampionId(ctx.pool, options.model);
      if (versionId === undefined) throw new UsageError(`model "${options.model}" has no earlier champion to roll back to; pass --to-version`);
      const { changed } = await setAlias(ctx.pool, 'champion', versionId, {
        actor: options.by,
        action: 'rollback',
        modelName: options.model,
        versionId,
        reason: options.reason,
        details: {},
      });
      const { version } = await getVersion(ctx.pool, versionId);
      output(options.json, { model: options.model, version, versionId, changed }, () =>
        changed ? `${options.model}: champion is now version ${version}` : `${options.model}: version ${version} already is champion; nothing changed`,
      );
    });
}
