import { z } from 'zod';
import { loadConfig } from '../../lib/config';
import { ParamFlags, parseFlags } from './args';
import { followRun, printSummary, startPipeline } from './pipeline-run';
import { connectClient, workflowUiLink } from './temporal-client';

export const RunFlags = z.object({
  pipeline: z.string({ message: 'is required' }).min(1),
  param: ParamFlags,
  'no-wait': z.boolean().default(false),
});

/** Starts a run with the given trigger, and follows it to the end unless told not to wait. */
export async function startAndFollow(trigger: 'manual' | 'retrain', usage: string): Promise<number> {
  const flags = parseFlags(
    { pipeline: { type: 'string' }, param: { type: 'string', multiple: true }, 'no-wait': { type: 'boolean' }, help: { type: 'boolean' } },
    RunFlags,
    usage,
  );
  const config = loadConfig();
  const client = await connectClient(config);
  const handle = await startPipeline(client, config, {
    pipeline: flags.pipeline,
    params: Object.keys(flags.param).length > 0 ? flags.param : undefined,
    trigger,
    requestedBy: process.env.USER ? `${process.env.USER} (cli)` : 'cli',
  });
  console.log(`started ${handle.workflowId}\n  ${workflowUiLink(config, handle.workflowId, handle.firstExecutionRunId)}`);
  if (flags['no-wait']) return 0;
  const outcome = await followRun(handle);
  printSummary(config, handle, outcome);
  return outcome.error ? 1 : 0;
}
