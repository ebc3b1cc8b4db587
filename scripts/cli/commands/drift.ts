import type { Command } from 'commander';
import { z } from 'zod';
import { findDriftReport } from '../../../lib/db/drift-reports';
import { PipelineName } from '../../../workflows/pipeline-input';
import { output, type CliContext } from '../context';
import { renderDriftReport } from '../drift-report-table';
import { parseOptions } from '../usage-error';

const DriftOptions = z.object({
  pipeline: PipelineName,
  report: z.coerce.number().int().positive().optional(),
  json: z.boolean().default(false),
});

export function registerDriftCommand(program: Command, ctx: CliContext): void {
  program
    .command('drift')
    .description("Print a pipeline's drift report (the latest, or a given one): columns ranked by drift, with method, score, threshold and verdict, plus annotations.")
    .requiredOption('-p, --pipeline <name>', 'the pipeline')
    .option('--report <id>', 'this report instead of the latest')
    .option('--json', 'print the stored report as JSON, histograms included')
    .addHelpText('after', '\nExample:\n  driftline drift --pipeline us-employment')
    .action(async (raw: unknown) => {
      const options = parseOptions(DriftOptions, raw);
      const report = await findDriftReport(ctx.pool, options.pipeline, options.report);
      if (!report) {
        console.error(options.report === undefined ? `no drift report for pipeline ${options.pipeline} yet` : `pipeline ${options.pipeline} has no drift report #${options.report}`);
        process.exitCode = 1;
        return;
      }
      output(options.json, report, () => renderDriftReport(report));
    });
}
