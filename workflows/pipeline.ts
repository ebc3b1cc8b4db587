import { ApplicationFailure, condition, executeChild, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EvaluateInput, Evaluation } from '../activities/evaluate';
import type { ChampionMove, ChampionRef } from '../lib/db/model-registry';
import { AnnotationInput } from '../lib/drift/annotation';
import { driftNotification } from '../lib/drift/drift-notification';
import { driftAction } from '../lib/drift/drift-policy';
import { formatZodError } from '../lib/errors';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import { ApprovalDecision, SupersedeDecision } from './approval-input';
import {
  annotateUpdate,
  approveUpdate,
  rejectUpdate,
  statusQuery,
  supersedeUpdate,
  trainingProgressSignal,
  type PipelineStage,
  type PipelineStatus,
  type TrainingOutcome,
} from './messages';
import { notifyTeam } from './notify-team';
import { parseWorkflowInput } from './parse-input';
import { PipelineInput } from './pipeline-input';
import { retrainModel } from './retrain';
import { logicalDate, recordOutcome, tagRun } from './search-attributes';
import { describeFailure, STEP_RETRY } from './step-options';

const {
  loadPipeline,
  validateSnapshot,
  promoteCandidate,
  markChallenger,
  recordRejection,
  recordAnnotation,
} = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: STEP_RETRY,
});

// Ingest streams a source of any size: its heartbeats (rows read) show it is alive however long it takes.
const { ingestSnapshot } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: STEP_RETRY,
});

// Drift compares whole snapshots (in a thread); heartbeats show it is alive and carry a cancellation.
const { checkDrift } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: STEP_RETRY,
});

// Evaluation loads and scores the training window (in a thread): it grows with the data, and its heartbeats show it is alive.
const { evaluateCandidate } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: STEP_RETRY,
});

export interface PipelineResult {
  pipeline: string;
  snapshotId: number;
  /** `skipped` when the drift policy kept the champion: a scheduled run on stable data. */
  trainingOutcome: TrainingOutcome | 'skipped';
  /** Absent when training was cancelled over its norm or skipped. */
  versionId?: number;
  version?: number;
  promoted: boolean;
  decision: string;
  /** The scheduled time the run stands for, when a schedule (or its backfill) started it. */
  logicalDate?: string;
}

/** ingest → train (a retrainModel child, under the runtime norm) → evaluate → promote, for one pipeline spec. */
export async function modelPipeline(rawInput: PipelineInput): Promise<PipelineResult> {
  const input = parseWorkflowInput(PipelineInput, rawInput, 'modelPipeline');
  const status: PipelineStatus = { pipeline: input.pipeline, stage: 'starting', completed: [], history: [], logicalDate: logicalDate() };
  setHandler(statusQuery, () => status);
  setHandler(annotateUpdate, (annotation) => recordAnnotation({ pipeline: input.pipeline, annotation }), { validator: validAnnotation });
  // The retrainModel child passes its trainer's progress on, so this run's status shows it too.
  setHandler(trainingProgressSignal, (progress) => {
    if (status.stage === 'training' && status.training) status.training.progress = progress;
  });
  const enter = (stage: PipelineStage) => {
    if (status.stage !== 'starting') status.completed.push(status.stage);
    if (status.training) status.training.progress = undefined;
    status.stage = stage;
    status.history?.push({ stage, at: new Date().toISOString() });
    tagRun({ stage });
  };
  /** The run's ending, shown as its details in the Temporal UI and returned. */
  const finish = (result: Omit<PipelineResult, 'logicalDate'>): PipelineResult => {
    setCurrentDetails(endingDetails(result));
    return status.logicalDate === undefined ? result : { ...result, logicalDate: status.logicalDate };
  };
  tagRun({ pipeline: input.pipeline });

  try {
    enter('loading spec');
    const { spec, specDir } = await loadPipeline({ pipeline: input.pipeline, params: input.params });
    tagRun({ model: spec.model.name });

    enter('ingesting');
    const snapshot = await ingestSnapshot({ spec, specDir, logicalDate: status.logicalDate });
    status.snapshot = {
      id: snapshot.snapshotId,
      digest: snapshot.digest,
      rows: snapshot.rowCount,
      quarantined: snapshot.quarantinedCount,
      reused: !snapshot.created,
      ...(snapshot.quarantineReasons && { quarantineReasons: snapshot.quarantineReasons }),
    };

    enter('validating');
    const validation = await validateSnapshot({ spec, snapshotId: snapshot.snapshotId });
    status.validation = validation;
    if (!validation.passed) {
      // Bad data must never reach a model: the run stops here, the report in its status and failure.
      throw ApplicationFailure.create({ type: 'DataValidationFailed', message: validation.summary, nonRetryable: true, details: [validation] });
    }

    enter('checking drift');
    const drift = await checkDrift({ spec, snapshotId: snapshot.snapshotId });
    const action = driftAction(drift, spec.drift.policy, input.trigger);
    status.drift = { ...drift, action };
    const alert = driftNotification({ pipeline: spec.name, model: spec.model.name, workflowId: workflowInfo().workflowId }, drift, action);
    if (alert) await notifyTeam(alert);
    if (!action.retrain) {
      status.promoted = false;
      status.decision = action.why;
      recordOutcome(input.pipeline, 'kept_champion');
      enter('done');
      return finish({ pipeline: spec.name, snapshotId: snapshot.snapshotId, promoted: false, decision: action.why, trainingOutcome: 'skipped' });
    }

    enter('training');
    const trainingId = `${workflowInfo().workflowId}/retrain`;
    status.training = { workflowId: trainingId };
    const training = await executeChild(retrainModel, {
      workflowId: trainingId,
      staticSummary: `${input.pipeline}: train a candidate on snapshot ${snapshot.snapshotId}`,
      args: [{ pipeline: input.pipeline, snapshotId: snapshot.snapshotId, params: input.params, requestedBy: input.requestedBy }],
    });
    status.training.outcome = training.outcome;
    if (!training.candidate) {
      const decision = `training cancelled over its runtime norm after ${Math.round(training.elapsedMs / 1000)} s: nothing promoted`;
      status.promoted = false;
      status.decision = decision;
      recordOutcome(input.pipeline, 'cancelled_over_norm');
      enter('done');
      return finish({ pipeline: spec.name, snapshotId: snapshot.snapshotId, promoted: false, decision, trainingOutcome: training.outcome });
    }
    const candidate = training.candidate;
    status.candidate = { versionId: candidate.versionId, version: candidate.version, metrics: candidate.metrics, trainingWindow: candidate.trainingWindow };

    enter('evaluating');
    const evaluateInput: EvaluateInput = {
      spec,
      snapshotId: snapshot.snapshotId,
      candidateVersionId: candidate.versionId,
      holdoutStart: candidate.holdoutStart,
      backtest: candidate.backtest,
    };
    const evaluation = await evaluateCandidate(evaluateInput);
    status.champion = evaluation.champion;
    status.baselines = evaluation.baselines;

    const verdict = await decidePromotion(spec, evaluateInput, candidate, evaluation, input.requestedBy, status, enter);
    status.promoted = verdict.promoted;
    status.decision = verdict.reason;
    recordOutcome(input.pipeline, verdict.promoted ? 'promoted' : 'not_promoted');

    enter('done');
    return finish({
      pipeline: spec.name,
      snapshotId: snapshot.snapshotId,
      versionId: candidate.versionId,
      version: candidate.version,
      promoted: verdict.promoted,
      decision: verdict.reason,
      trainingOutcome: training.outcome,
    });
  } catch (error) {
    status.lastError = describeFailure(error);
    setCurrentDetails(`**failed** in ${status.stage}: ${status.lastError}`);
    recordOutcome(input.pipeline, 'failed');
    enter('failed');
    throw error;
  }
}

/** One line for the Temporal UI: "v3 **promoted**", "v3 not promoted: …", "kept the champion: …". */
function endingDetails(result: Omit<PipelineResult, 'logicalDate'>): string {
  const version = result.version === undefined ? '' : `v${result.version} `;
  if (result.promoted) return `${result.pipeline} → ${version}**promoted**: ${result.decision}`;
  if (result.trainingOutcome === 'skipped') return `${result.pipeline}: kept the champion: ${result.decision}`;
  if (result.trainingOutcome === 'cancelled_over_norm') return `${result.pipeline}: **cancelled over norm**: ${result.decision}`;
  return `${result.pipeline} → ${version}not promoted: ${result.decision}`;
}

/** Rejects a malformed annotation before it enters history; the message names the field. */
function validAnnotation(raw: AnnotationInput): void {
  const parsed = AnnotationInput.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid annotation: ${formatZodError(parsed.error)}`);
}

/** How many times a candidate is evaluated again because the champion moved before its decision was written. */
const MAX_REEVALUATIONS = 3;

type Approval = ApprovalDecision & { decision: 'approve' | 'reject' };
/** What a person decided about a waiting run: approve, reject, or supersede it by a newer waiting run. */
type PersonDecision = Approval | (SupersedeDecision & { decision: 'supersede' });

/**
 * Promotes a candidate that passed its gates — after a person approves it, when the pipeline
 * asks for that — and audits every other ending: failed gates, rejection, no decision in time.
 * A decision judged against a champion is written only while that champion is still in place
 * (another run may promote, a person may roll back meanwhile): otherwise the candidate is
 * evaluated again against the new champion, with the same holdout rules, and the reason says so.
 */
async function decidePromotion(
  spec: PipelineSpec,
  evaluateInput: EvaluateInput,
  candidate: { versionId: number; version: number },
  first: Evaluation,
  requestedBy: string,
  status: PipelineStatus,
  enter: (stage: PipelineStage) => void,
): Promise<{ promoted: boolean; reason: string }> {
  const base = { modelName: spec.model.name, versionId: candidate.versionId, workflowId: workflowInfo().workflowId };
  let evaluation = first;
  // "champion moved from v3 to v5 during evaluation: re-evaluated against v5: " once it has.
  let history = '';
  let approval: Approval | undefined;
  for (let reevaluations = 0; ; reevaluations += 1) {
    const judged = { ...base, evaluation, expectedChampionId: evaluation.evaluatedAgainst?.versionId ?? null };
    const reason = history + evaluation.reason;
    let moved: ChampionMove | undefined;
    let when = 'during evaluation';
    if (!evaluation.passed) {
      const refusal = approval ? `refused after approval by ${approval.by}: ${reason}` : reason;
      ({ championMoved: moved } = await recordRejection({ ...judged, actor: 'driftline', reason: refusal }));
      if (!moved) return { promoted: false, reason: refusal };
    } else {
      if (!approval && spec.promotion.requireApproval) {
        // Recorded with the request, so the dashboard lists every waiting run with its deadline.
        const deadline = new Date(Date.now() + spec.promotion.approvalTimeoutHours * 3_600_000).toISOString();
        ({ championMoved: moved } = await markChallenger({ ...judged, actor: requestedBy, reason: `passed its gates, awaiting approval: ${reason}`, deadline }));
        if (!moved) {
          const decision = await awaitApproval(spec, candidate, reason, deadline, status, enter);
          if (decision?.decision !== 'approve') return recordUnapproved(spec, { ...base, evaluation }, decision);
          approval = decision;
          when = 'while awaiting approval';
        }
      }
      if (!moved) {
        enter('promoting');
        const auditReason = approval ? (history ? `${approval.reason}; ${reason}` : approval.reason) : reason;
        const promotion = await promoteCandidate({ ...judged, actor: approval?.by ?? requestedBy, reason: auditReason });
        if (promotion.promoted) return { promoted: true, reason: approval ? `approved by ${approval.by}: ${auditReason}` : reason };
        moved = promotion.championMoved;
      }
    }
    const move = `champion moved from ${championName(evaluation.evaluatedAgainst)} to ${championName(moved.actual)} ${when}`;
    if (reevaluations === MAX_REEVALUATIONS) {
      const refusal = `refused: ${move}, after ${MAX_REEVALUATIONS} re-evaluations against newer champions; not promoted`;
      await recordRejection({ ...base, evaluation, actor: 'driftline', reason: refusal });
      return { promoted: false, reason: refusal };
    }
    enter('evaluating');
    evaluation = await evaluateCandidate(evaluateInput);
    status.champion = evaluation.champion;
    history = `${move}: re-evaluated against ${championName(evaluation.evaluatedAgainst)}: `;
  }
}

function championName(champion: ChampionRef | null): string {
  return champion ? `v${champion.version}` : 'none';
}

/**
 * Shows what the run waits for and waits for a person; undefined when the time runs out. The wait
 * starts after `deadline` was recorded, so it ends no earlier than the deadline a person was shown.
 */
async function awaitApproval(
  spec: PipelineSpec,
  candidate: { versionId: number; version: number },
  reason: string,
  deadline: string,
  status: PipelineStatus,
  enter: (stage: PipelineStage) => void,
): Promise<PersonDecision | undefined> {
  const timeoutMs = spec.promotion.approvalTimeoutHours * 3_600_000;
  enter('awaiting approval');
  status.awaitingApproval = {
    versionId: candidate.versionId,
    version: candidate.version,
    model: spec.model.name,
    deadline,
    summary: `approve or reject version ${candidate.version} of ${spec.model.name}: ${reason}`,
  };
  const approval = await waitForApproval(candidate, timeoutMs, () => status.stage === 'awaiting approval');
  status.awaitingApproval = undefined;
  enter('promoting');
  return approval;
}

/** A person's rejection or supersession, or none in time: true whatever the champion is, so written unconditionally. */
async function recordUnapproved(
  spec: PipelineSpec,
  decision: { modelName: string; versionId: number; workflowId: string; evaluation: Evaluation },
  person: Exclude<PersonDecision, { decision: 'approve' }> | undefined,
): Promise<{ promoted: false; reason: string }> {
  if (!person) {
    const reason = `no approval within ${spec.promotion.approvalTimeoutHours} h: candidate rejected`;
    await recordRejection({ ...decision, actor: 'driftline', reason });
    return { promoted: false, reason };
  }
  const reason = person.decision === 'supersede' ? supersededReason(person) : person.reason;
  const supersededBy = person.decision === 'supersede' ? person.supersededBy : undefined;
  await recordRejection({ ...decision, actor: person.by, reason, supersededBy });
  return { promoted: false, reason: `rejected by ${person.by}: ${reason}` };
}

/** "superseded by version 5 (run us-employment-…): the newer data covers the holiday" */
function supersededReason(d: SupersedeDecision): string {
  return `superseded by version ${d.supersededBy.version} (run ${d.supersededBy.workflowId})${d.reason ? `: ${d.reason}` : ''}`;
}

/** Accepts one `approve`, `reject` or `supersede` Update while waiting; undefined when the time runs out. */
async function waitForApproval(
  candidate: { versionId: number; version: number },
  timeoutMs: number,
  waiting: () => boolean,
): Promise<PersonDecision | undefined> {
  const { versionId, version } = candidate;
  let received: PersonDecision | undefined;
  const refuseUnlessWaiting = () => {
    if (!waiting() || received) throw new Error('this run is not waiting for an approval');
  };
  const validator = (raw: ApprovalDecision) => {
    refuseUnlessWaiting();
    const parsed = ApprovalDecision.safeParse(raw);
    if (!parsed.success) throw new Error(`Invalid approval: ${formatZodError(parsed.error)}`);
  };
  const accept = (decision: 'approve' | 'reject') => (raw: ApprovalDecision) => {
    received = { ...ApprovalDecision.parse(raw), decision };
    return { versionId, version, decision };
  };
  setHandler(approveUpdate, accept('approve'), { validator });
  setHandler(rejectUpdate, accept('reject'), { validator });
  // Only a newer version of the same model can supersede: versions are numbered per model, and the
  // caller (driftline supersede, the dashboard) checked that the newer run waits on that model.
  const supersedeValidator = (raw: SupersedeDecision) => {
    refuseUnlessWaiting();
    const parsed = SupersedeDecision.safeParse(raw);
    if (!parsed.success) throw new Error(`Invalid supersede: ${formatZodError(parsed.error)}`);
    const by = parsed.data.supersededBy;
    if (by.workflowId === workflowInfo().workflowId) throw new Error('a run cannot supersede itself');
    if (by.version <= candidate.version) throw new Error(`version ${by.version} is not newer than this run's version ${candidate.version}`);
  };
  setHandler(
    supersedeUpdate,
    (raw) => {
      received = { ...SupersedeDecision.parse(raw), decision: 'supersede' };
      return { versionId, version, decision: 'supersede' };
    },
    { validator: supersedeValidator },
  );
  await condition(() => received !== undefined, timeoutMs);
  return received;
}
