import type { Client } from '@temporalio/client';
import { DriftlineError } from '../../lib/errors';
import type { ApprovalDecision } from '../../workflows/approval-input';
import { approveUpdate, rejectUpdate, statusQuery, supersedeUpdate, type ApprovalReceipt, type PipelineStatus } from '../../workflows/messages';

export type ApprovalKind = 'approve' | 'reject';

const UPDATES = { approve: approveUpdate, reject: rejectUpdate } as const;

/** Sends a person's decision to the run waiting on it, as the workflow Update: the CLI and the dashboard both call this. */
export async function sendApproval(client: Client, workflowId: string, kind: ApprovalKind, decision: ApprovalDecision): Promise<ApprovalReceipt> {
  return client.workflow.getHandle(workflowId).executeUpdate(UPDATES[kind], { args: [decision] });
}

/**
 * Ends the wait of `workflowId` because `newerWorkflowId` waits on a newer candidate of the same
 * model: the older candidate is rejected as superseded, audited with who decided. Both runs must be
 * waiting now; the older run itself refuses a version that is not newer than its own.
 */
export async function supersedeApproval(
  client: Client,
  workflowId: string,
  newerWorkflowId: string,
  who: { by: string; reason?: string },
): Promise<ApprovalReceipt & { supersededBy: { workflowId: string; version: number } }> {
  const [older, newer] = await Promise.all([waitingOn(client, workflowId), waitingOn(client, newerWorkflowId)]);
  if (older.model !== newer.model) {
    throw new DriftlineError('InvalidInput', `run ${newerWorkflowId} waits on model "${newer.model}", not "${older.model}": it cannot supersede run ${workflowId}`);
  }
  const supersededBy = { workflowId: newerWorkflowId, version: newer.version };
  const receipt = await client.workflow.getHandle(workflowId).executeUpdate(supersedeUpdate, { args: [{ ...who, supersededBy }] });
  return { ...receipt, supersededBy };
}

/** What a run waits on, or an InvalidInput error saying it does not wait. */
async function waitingOn(client: Client, workflowId: string): Promise<NonNullable<PipelineStatus['awaitingApproval']>> {
  const status = await client.workflow.getHandle(workflowId).query(statusQuery);
  if (!status.awaitingApproval) throw new DriftlineError('InvalidInput', `run ${workflowId} is not waiting for an approval (stage: ${status.stage})`);
  return status.awaitingApproval;
}
