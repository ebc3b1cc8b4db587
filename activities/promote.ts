import { clearAlias, setAlias, type ChampionMove } from '../lib/db/model-registry';
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
  /**
   * The champion the decision was judged against (`null`: none): the decision is written only
   * while it is still champion. Absent for decisions that hold whatever the champion (a person's
   * rejection, no approval in time).
   */
  expectedChampionId?: number | null;
  /** Until when a person may decide: recorded with the challenger entry, which lists the run as waiting. */
  deadline?: string;
  /** The newer waiting run whose candidate replaces this one (a rejection by supersession). */
  supersededBy?: { workflowId: string; version: number };
}

/** Nothing was written: the champion is no longer the one the decision was judged against. */
export interface Moved {
  championMoved: ChampionMove;
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
      evaluatedAgainst: input.evaluation.evaluatedAgainst,
      gates: input.evaluation.gates,
      modelTests: input.evaluation.modelTests,
      workflowId: input.workflowId,
      ...(input.deadline && { deadline: input.deadline }),
      ...(input.supersededBy && { supersededBy: input.supersededBy }),
    },
  });
  return {
    /** Makes the version champion and audits why, in one transaction, if the champion is still the expected one. */
    async promoteCandidate(input: PromotionInput): Promise<{ promoted: true } | ({ promoted: false } & Moved)> {
      const { championMoved } = await setAlias(deps.pool, 'champion', input.versionId, auditOf(input, 'promote'), input.expectedChampionId);
      return championMoved ? { promoted: false, championMoved } : { promoted: true };
    },

    /** A candidate that passed its gates and now waits for a person becomes `challenger`, if the champion is still the expected one. */
    async markChallenger(input: PromotionInput): Promise<Partial<Moved>> {
      const { championMoved } = await setAlias(deps.pool, 'challenger', input.versionId, auditOf(input, 'challenger'), input.expectedChampionId);
      return championMoved ? { championMoved } : {};
    },

    /** Audits a candidate that was not promoted (failed gate, rejected, approval timed out), so "why not v7?" has an answer. */
    async recordRejection(input: PromotionInput): Promise<Partial<Moved>> {
      return clearAlias(deps.pool, 'challenger', input.versionId, auditOf(input, 'reject'), input.expectedChampionId);
    },
  };
}
