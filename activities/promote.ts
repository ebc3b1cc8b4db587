import { clearAlias, setAlias } from '../lib/db/model-registry';
import type { ActivityDeps } from './deps';
import type { Evaluation } from './evaluate';

export interface PromotionInput {
  modelName: string;
  versionId: number;
  evaluation: Evaluation;
  /** Who decided: the requester for automatic promotion, the approver otherwise. */
  actor: string;
  reason: string;
  workflowId: string;
}

export function makePromote(deps: ActivityDeps) {
  const auditOf = (input: PromotionInput, action: string) => ({
    actor: input.actor,
    action,
    modelName: input.modelName,
    versionId: input.versionId,
    reason: input.reason,
    details: {
      evaluationId: input.evaluation.evaluationId,
      metrics: input.evaluation.candidate,
      champion: input.evaluation.champion,
      gates: input.evaluation.gates,
      modelTests: input.evaluation.modelTests,
      workflowId: input.workflowId,
    },
  });
  return {
    /** Makes the version champion and audits why, in one transaction. */
    async promoteCandidate(input: PromotionInput): Promise<{ changed: boolean }> {
      return setAlias(deps.pool, 'champion', input.versionId, auditOf(input, 'promote'));
    },

    /** A candidate that passed its gates and now waits for a person becomes `challenger`. */
    async markChallenger(input: PromotionInput): Promise<{ changed: boolean }> {
      return setAlias(deps.pool, 'challenger', input.versionId, auditOf(input, 'challenger'));
    },

    /** Audits a candidate that was not promoted (failed gate, rejected, approval timed out), so "why not v7?" has an answer. */
    async recordRejection(input: PromotionInput): Promise<void> {
      await clearAlias(deps.pool, 'challenger', input.versionId, auditOf(input, 'reject'));
    },
  };
}
