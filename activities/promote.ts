import { appendAudit, setAlias } from '../lib/db/model-registry';
import type { ActivityDeps } from './deps';
import type { Evaluation } from './evaluate';

export interface PromotionInput {
  modelName: string;
  versionId: number;
  evaluation: Evaluation;
  actor: string;
  workflowId: string;
}

export function makePromote(deps: ActivityDeps) {
  return {
    /** Makes the version champion and audits why, in one transaction. */
    async promoteCandidate(input: PromotionInput): Promise<{ promoted: true; changed: boolean }> {
      const { changed } = await setAlias(deps.pool, 'champion', input.versionId, {
        actor: input.actor,
        action: 'promote',
        modelName: input.modelName,
        versionId: input.versionId,
        reason: input.evaluation.reason,
        details: { evaluation: input.evaluation, workflowId: input.workflowId },
      });
      return { promoted: true, changed };
    },

    /** Audits a candidate that failed its gate, so "why wasn't v7 promoted?" has an answer. */
    async recordRejection(input: PromotionInput): Promise<void> {
      await appendAudit(deps.pool, {
        actor: input.actor,
        action: 'reject',
        modelName: input.modelName,
        versionId: input.versionId,
        reason: input.evaluation.reason,
        details: { evaluation: input.evaluation, workflowId: input.workflowId },
      });
    },
  };
}
