import { z } from 'zod';
import { loadConfig } from '../lib/config';
import { statusQuery } from '../workflows/messages';
import { parseFlags } from './support/args';
import { runMain } from './support/exit-on-error';
import { connectClient, workflowUiLink } from './support/temporal-client';

const USAGE = `Show the status of a pipeline run: its stage and the ids produced so far.

usage: npm run pipeline:status -- --workflow-id ID [--json]

example: npm run pipeline:status -- --workflow-id us-employment-2026-11-23T18-00-00-000Z`;

const StatusFlags = z.object({
  'workflow-id': z.string({ message: 'is required' }).min(1),
  json: z.boolean().default(false),
});

runMain(async () => {
  const flags = parseFlags({ 'workflow-id': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } }, StatusFlags, USAGE);
  const config = loadConfig();
  const client = await connectClient(config);
  const handle = client.workflow.getHandle(flags['workflow-id']);
  const [status, description] = await Promise.all([handle.query(statusQuery), handle.describe()]);
  if (flags.json) {
    console.log(JSON.stringify({ workflowStatus: description.status.name, ...status }, null, 2));
    return;
  }
  console.log(`${flags['workflow-id']}: ${description.status.name}, stage "${status.stage}"`);
  if (status.completed.length > 0) console.log(`  done: ${status.completed.join(' → ')}`);
  if (status.snapshot) console.log(`  snapshot #${status.snapshot.id}: ${status.snapshot.rows} rows, ${status.snapshot.quarantined} quarantined`);
  if (status.candidate) console.log(`  candidate: version ${status.candidate.version}, RMSE ${status.candidate.metrics.rmse.toFixed(1)}`);
  if (status.decision) console.log(`  decision: ${status.promoted ? 'promoted' : 'not promoted'}: ${status.decision}`);
  if (status.lastError) console.log(`  last error: ${status.lastError}`);
  console.log(`  ${workflowUiLink(config, handle.workflowId, description.runId)}`);
});
