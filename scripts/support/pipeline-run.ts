import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DriftlineConfig } from '../../lib/config';
import { statusQuery, type PipelineStatus } from '../../workflows/messages';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { modelPipeline, type PipelineResult } from '../../workflows/pipeline';
import { windowText } from '../../lib/arrival/pipeline-data';
import { describeBaselines, describeMetrics } from '../../lib/evaluation/format';
import { describeQuarantineReasons, type QuarantineReason } from '../../lib/db/quarantine';
import { workflowUiLink } from './temporal-client';
import { failureMessage } from './workflow-failure';

/** Starts a modelPipeline run; the workflow id says which pipeline and when. */
export async function startPipeline(client: Client, config: DriftlineConfig, input: PipelineInput) {
  const workflowId = `${input.pipeline}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  return client.workflow.start(modelPipeline, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args: [input],
    // The Temporal UI's list shows this line; the run's details say how it ended.
    staticSummary: `${input.pipeline}: ${input.trigger ?? 'manual'} run by ${input.requestedBy ?? 'temporal-ui'}`,
  });
}

/** Prints each stage as the run enters it, then returns the result, or the final status of a failed run. */
export async function followRun(
  handle: WorkflowHandle<typeof modelPipeline>,
  say: (line: string) => void = console.log,
): Promise<{ result?: PipelineResult; status: PipelineStatus; error?: string }> {
  // Stages from the run's history: one that began and ended between two polls is still said.
  let said = 0;
  // Once the run has ended, a poll still in flight must not print after the caller's summary.
  let ended = false;
  const sayNewStages = (status: PipelineStatus) => {
    const stages = (status.history ?? []).map((entry) => entry.stage);
    for (const stage of stages.slice(said)) if (stage !== 'done' && stage !== 'failed') say(`  … ${stage}`);
    said = Math.max(said, stages.length);
  };
  const poll = setInterval(() => {
    handle
      .query(statusQuery)
      .then((status) => ended || sayNewStages(status))
      .catch(() => undefined);
  }, 300);
  try {
    const result = await handle.result();
    const status = await handle.query(statusQuery);
    ended = true;
    sayNewStages(status);
    return { result, status };
  } catch (error) {
    const status = await handle.query(statusQuery).catch(() => undefined);
    ended = true;
    return { status: status ?? ({ stage: 'failed', completed: [], pipeline: '?' } as PipelineStatus), error: failureMessage(error) };
  } finally {
    clearInterval(poll);
  }
}

export function printSummary(
  config: DriftlineConfig,
  handle: { workflowId: string; firstExecutionRunId?: string },
  outcome: Awaited<ReturnType<typeof followRun>>): void {
  const { status } = outcome;
  const rows: [string, string][] = [['pipeline', status.pipeline]];
  if (status.snapshot) {
    const s = status.snapshot;
    rows.push([
      'ingested',
      `snapshot #${s.id} (${s.digest.slice(0, 12)}…): ${s.rows} rows accepted, ${s.quarantined} quarantined${s.reused ? ', identical to an earlier snapshot (reused)' : ''}`,
    ]);
    if (s.quarantineReasons) rows.push(['quarantined', `${quarantineText(s.quarantineReasons)} (driftline data --snapshot ${s.id} --quarantine)`]);
  }
  if (status.validation) {
    const { checks, passed } = status.validation;
    const failed = checks.filter((c) => c.outcome !== 'pass').map((c) => `${c.outcome} ${c.check}${c.column ? `(${c.column})` : ''}`);
    rows.push(['validated', `${passed ? 'passed' : 'FAILED'}: ${checks.length} dataset checks${failed.length > 0 ? ` (${failed.join(', ')})` : ''}`]);
  }
  if (status.drift) {
    const d = status.drift;
    const columns = d.drifted.slice(0, 5).map((c) => c.column).join(', ');
    rows.push([
      'drift',
      d.verdict === 'no_reference'
        ? 'no champion yet: nothing to compare with'
        : d.verdict === 'no_new_data'
          ? `${d.reasons.join('; ')} — ${d.action.why}`
          : `${d.verdict} vs champion v${d.championVersion}: ${d.columnsDrifted} of ${d.columnsTested} columns drifted${columns ? ` (${columns})` : ''} — ${d.action.why}`,
    ]);
    if (d.sides) rows.push(['compared', `new ${windowText(d.sides.current)}  vs  champion's training data ${windowText(d.sides.reference)}`]);
  }
  if (status.candidate) {
    const m = status.candidate.metrics;
    rows.push(['trained', `version ${status.candidate.version} on ${windowText(status.candidate.trainingWindow)}`]);
    rows.push(['holdout metrics', describeMetrics(m)]);
  }
  if (status.baselines) rows.push(['baselines', describeBaselines(status.baselines)]);
  if (status.champion) rows.push(['champion', `version ${status.champion.version}: ${describeMetrics(status.champion.metrics)}`]);
  if (status.promoted !== undefined) rows.push(['promoted', status.promoted ? 'yes, now champion' : 'no']);
  if (status.decision) rows.push(['why', status.decision]);
  if (outcome.error) rows.push(['FAILED', outcome.error]);
  rows.push(['Temporal UI', workflowUiLink(config, handle.workflowId, handle.firstExecutionRunId)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n'));
}

/** The reasons a run's status lists (its most common kinds), as one line. */
export function quarantineText(reasons: QuarantineReason[]): string {
  return describeQuarantineReasons({ reasons, kinds: reasons.length });
}
