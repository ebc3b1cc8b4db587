import type { Command } from 'commander';
import { z } from 'zod';
import { listWaitingApprovals } from '../../../lib/db/approvals';
import { ApprovalDecision, SupersedeDecision } from '../../../workflows/approval-input';
import { sendApproval, supersedeApproval } from '../../support/approval';
import type { ApprovalReceipt } from '../../../workflows/messages';
import { output, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions } from '../usage-error';

const ApprovalOptions = ApprovalDecision.extend({ json: z.boolean().default(false) });
const ListOptions = z.object({ model: z.string().min(1).optional(), json: z.boolean().default(false) });
const SupersedeOptions = SupersedeDecision.omit({ supersededBy: true }).extend({ with: z.string().min(1), json: z.boolean().default(false) });

export function registerApprovalCommands(program: Command, ctx: CliContext): void {
  program
    .command('approvals')
    .description('List every run waiting for approval, oldest first, with its deadline: the ids to approve, reject or supersede.')
    .option('-m, --model <name>', 'only this model')
    .option('--json', 'print as JSON, with each candidate\'s evaluation and drift check')
    .action(async (raw: unknown) => {
      const { model, json } = parseOptions(ListOptions, raw);
      const waiting = await listWaitingApprovals(ctx.pool, model);
      output(json, waiting, () =>
        waiting.length === 0
          ? 'no run is waiting for approval'
          : waiting.map((w) => `  ${w.model} v${w.version}  ${w.workflowId}  decide by ${w.deadline ? w.deadline.toISOString() : '(not recorded)'}`).join('\n'),
      );
    });

  for (const name of ['approve', 'reject'] as const) {
    program
      .command(name)
      .description(`${name === 'approve' ? 'Approve' : 'Reject'} the candidate a pipeline run is waiting on (a workflow Update).`)
      .argument('<workflow-id>', 'the modelPipeline run that is awaiting approval')
      .requiredOption('--reason <text>', 'why; written to the audit log')
      .option(...BY_OPTION)
      .option('--json', 'print the receipt as JSON')
      .addHelpText('after', `\nExample:\n  driftline ${name} us-employment-2026-11-23T18-00-00-000Z --by ana --reason "${name === 'approve' ? 'backtest holds up' : 'spike is a data error'}"`)
      .action(async (workflowId: string, raw: { by?: string }) => {
        const { json, ...decision } = parseOptions(ApprovalOptions, { ...raw, by: raw.by ?? currentUser() });
        const receipt = await sendApproval(await ctx.client(), workflowId, name, decision);
        output(json, receipt, () => `${name === 'approve' ? 'approved' : 'rejected'}: ${versionName(receipt)} (${workflowId})`);
      });
  }

  program
    .command('supersede')
    .description('End the wait of a run whose candidate a newer waiting run of the same model replaces: rejected as "superseded by version N (run X)", audited.')
    .argument('<workflow-id>', 'the older run that is awaiting approval')
    .requiredOption('--with <workflow-id>', 'the newer run, awaiting approval of a newer version of the same model')
    .option('--reason <text>', 'why, besides being superseded; written to the audit log')
    .option(...BY_OPTION)
    .option('--json', 'print the receipt as JSON')
    .addHelpText('after', '\nExample:\n  driftline supersede us-employment-2026-11-22T18-00-00-000Z --with us-employment-2026-11-23T18-00-00-000Z --by ana')
    .action(async (workflowId: string, raw: { by?: string }) => {
      const { json, with: newer, ...who } = parseOptions(SupersedeOptions, { ...raw, by: raw.by ?? currentUser() });
      const receipt = await supersedeApproval(await ctx.client(), workflowId, newer, who);
      output(json, receipt, () => `superseded: ${versionName(receipt)} (${workflowId}) by version ${receipt.supersededBy.version} (${newer})`);
    });
}

/** "version 5", as people know it; a run started before receipts carried the number gives its internal id. */
function versionName(receipt: ApprovalReceipt): string {
  return receipt.version === undefined ? `version id ${receipt.versionId}` : `version ${receipt.version}`;
}
