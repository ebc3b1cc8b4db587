import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../lib/config';
import { DriftlineError } from '../../lib/errors';
import { registerActualsCommand } from './commands/actuals';
import { registerAnnotateCommand } from './commands/annotate';
import { registerApprovalCommands } from './commands/approve';
import { registerDashboardCommand } from './commands/dashboard';
import { registerDataCommand } from './commands/data';
import { registerDriftCommand } from './commands/drift';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerExperimentCommand } from './commands/experiment';
import { registerLineageCommand } from './commands/lineage';
import { registerMigrateCommand } from './commands/migrate';
import { registerPredictionsCommand } from './commands/predictions';
import { registerModelsCommand } from './commands/models';
import { registerRollbackCommand } from './commands/rollback';
import { registerRunCommands } from './commands/run';
import { registerScheduleCommand } from './commands/schedule';
import { registerScoreCommand } from './commands/score';
import { registerServeCommand } from './commands/serve';
import { registerSpecCommand } from './commands/spec';
import { registerStatusCommands } from './commands/status';
import { registerWorkerCommand } from './commands/worker';
import { chooseDatabase } from '../../workers/database';
import { failureMessage } from '../support/workflow-failure';
import { CliContext } from './context';
import { UsageError } from './usage-error';

/** Exit codes: 0 ok, 1 the job failed, 2 bad usage. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const program = new Command('driftline')
  .description('Durable MLOps pipelines on Temporal: run, watch, approve, roll back and trace models.')
  .option('--verbose', 'print stack traces on errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const ctx = new CliContext();
for (const register of [
  registerRunCommands,
  registerStatusCommands,
  registerApprovalCommands,
  registerRollbackCommand,
  registerModelsCommand,
  registerDataCommand,
  registerLineageCommand,
  registerEvaluateCommand,
  registerExperimentCommand,
  registerDriftCommand,
  registerAnnotateCommand,
  registerActualsCommand,
  registerPredictionsCommand,
  registerScheduleCommand,
  registerScoreCommand,
  registerSpecCommand,
  registerWorkerCommand,
  registerDashboardCommand,
  registerServeCommand,
  registerMigrateCommand,
]) {
  register(program, ctx);
}

// Without DATABASE_URL and a local PostgreSQL, commands use the embedded one; `worker` hosts it.
const database = await chooseDatabase(process.env, process.argv.includes('worker'), (line) => console.error(line));
if (database.url) process.env.DATABASE_URL = database.url;

let code: number = EXIT.ok;
try {
  await program.parseAsync(process.argv);
  code = process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
} catch (error) {
  code = report(error);
} finally {
  await ctx.close().catch(() => undefined);
  await database.stop?.();
}
process.exit(code);

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed the problem; help and version are not failures.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const verbose = program.opts<{ verbose?: boolean }>().verbose;
  const message = verbose ? (error as Error).stack : failureMessage(error);
  console.error(`error: ${message}`);
  return error instanceof UsageError || error instanceof ConfigError ? EXIT.usage : error instanceof DriftlineError && error.type === 'InvalidInput' ? EXIT.usage : EXIT.failed;
}
