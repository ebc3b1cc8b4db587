import type { Client } from '@temporalio/client';
import { statusQuery, type PipelineStatus } from '../../workflows/messages';

/** Polls a pipeline run's status until it waits for a person; fails if the run ends first. */
export async function untilAwaitingApproval(client: Client, workflowId: string): Promise<PipelineStatus & { awaitingApproval: NonNullable<PipelineStatus['awaitingApproval']> }> {
  const handle = client.workflow.getHandle(workflowId);
  for (;;) {
    const status = await handle.query(statusQuery);
    if (status.awaitingApproval) return { ...status, awaitingApproval: status.awaitingApproval };
    if (status.stage === 'done' || status.stage === 'failed') throw new Error(`${workflowId} ended without waiting: ${status.decision ?? status.lastError}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
