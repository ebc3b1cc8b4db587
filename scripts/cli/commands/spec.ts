import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadPipelineSpec } from '../../../lib/spec/load-spec';
import { describeTransforms } from '../../../lib/model/transforms/describe-transforms';
import type { PipelineSpec } from '../../../lib/spec/pipeline-spec';
import { output, table, type CliContext } from '../context';
import { parseOptions } from '../usage-error';

const CheckOptions = z.object({ json: z.boolean().default(false) });

export function registerSpecCommand(program: Command, ctx: CliContext): void {
  const spec = program.command('spec').description('Work with pipeline specs without starting anything.');
  spec
    .command('check')
    .description('Validate a pipeline spec: every problem is printed with the field it is in, and the exit code is 2.')
    .argument('<file|name>', 'a spec file (path ending in .json), or the name of a pipeline in the pipelines folder')
    .option('--json', 'print the validated spec, with every default filled in, as JSON')
    .addHelpText('after', '\nExamples:\n  driftline spec check us-employment\n  driftline spec check ./pipelines/sales.json')
    .action(async (target: string, raw: unknown) => {
      const options = parseOptions(CheckOptions, raw);
      const { name, dir } = whereSpecIs(target, ctx.config.DRIFTLINE_PIPELINES_DIR);
      const { spec: checked, dir: found } = await loadPipelineSpec(name, dir);
      output(options.json, checked, () => `${path.join(found, `${name}.json`)}: valid\n${table(summaryOf(checked))}`);
    });
}

/** A path to a .json file names its own folder; a bare name is looked up in the pipelines folder. */
function whereSpecIs(target: string, pipelinesDir: string | undefined): { name: string; dir: string | undefined } {
  if (!target.endsWith('.json') && !target.includes(path.sep)) return { name: target, dir: pipelinesDir };
  const file = path.resolve(target);
  return { name: path.basename(file, '.json'), dir: path.dirname(file) };
}

/** What the spec makes the pipeline do, as a person checks it before running. */
function summaryOf(spec: PipelineSpec): [string, string][] {
  const features = [...spec.features.columns, ...spec.features.categorical, ...spec.features.targetLags.map((lag) => `target lag ${lag}`)];
  return [
    ['source', spec.source.kind === 'postgres' ? 'postgres' : `${spec.source.kind} (${spec.source.format})`],
    ['columns', Object.keys(spec.columns).join(', ')],
    ['target', spec.kind === 'cross-sectional' ? `${spec.target}, each row's own (cross-sectional)` : `${spec.target}, ${spec.horizon} step${spec.horizon === 1 ? '' : 's'} ahead`],
    ...(spec.groupBy.length > 0 ? [['groups', `one series per ${spec.groupBy.join(' × ')}`] as [string, string]] : []),
    ['features', features.join(', ')],
    ...describeTransforms(spec.features, undefined, spec.timeColumn).map((line): [string, string] => ['transform', line]),
    ['model', `${spec.model.name} (${typeof spec.model.trainer === 'string' ? spec.model.trainer : 'module' in spec.model.trainer ? 'module trainer' : 'command trainer'})`],
    ['promotion', `primary metric ${spec.evaluation.primaryMetric}${spec.promotion.requireApproval ? ', needs approval' : ''}`],
    ['schedule', spec.schedule ? (spec.schedule.cron ?? `every ${spec.schedule.every}`) : 'none (runs when started)'],
  ];
}
