import type { Client } from '@temporalio/client';
import type { ApprovalDecision } from '../../workflows/approval-input';
import { approveUpdate, rejectUpdate, type ApprovalReceipt } from '../../workflows/messages';

export type ApprovalKind = 'approve' | 'reject';

const UPDATES = { approve: approveUpdate, reject: rejectUpdate } as const;

/** Sends a person's decision to the run waiting on it, as the workflow Update: the CLI and the dashboard both call this. */
export async function sendApproval(client: Client, workflowId: string, kind: ApprovalKind, decision: ApprovalDecision): Promise<ApprovalReceipt> {
  return client.workflow.getHandle(workflowId).executeUpdate(UPDATES[kind], { args: [decision] });
}
