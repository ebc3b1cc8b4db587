import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { frameOf } from '../../lib/arrival/pipeline-data';
import { trainingData } from '../../lib/arrival/windows';
import { experimentCells } from '../../lib/db/experiments';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { createPool } from '../../lib/db/pool';
import { latestSnapshotId } from '../../lib/db/snapshots';
import { configureCell } from '../../lib/experiments/cell-config';
import { designCells } from '../../lib/experiments/design';
import { ExperimentSpec } from '../../lib/experiments/experiment-spec';
import { scoreCell } from '../../lib/experiments/score-cell';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { BUILT_IN_TRAINERS } from '../../lib/trainers/built-in';
import { createDriftlineWorker } from '../../workers/create-worker';
import { prebuiltWorkflowBundle, quietBundlerLogger } from '../../workers/workflow-bundle';
import type { ExperimentSummary } from '../../activities/experiment';
import { runExperiment } from '../../workflows/experiment';
import { modelPipeline } from '../../workflows/pipeline';
import type { BenchResult } from '../support/bench-contract';
import { createBenchDatabase, dropBenchDatabase } from './pipeline-runs/bench-database';
import { writeBundledSpecs } from './pipeline-runs/bundled-specs';
import { describeMachineLoad, loadAverage } from './pipeline-runs/machine-load';
import { median } from '../support/median';
import { startBenchTemporal } from './pipeline-runs/bench-temporal';
import * as floorActivities from './experiment/floor-activities';
import { floorExperiment } from './experiment/floor-workflow';

const PIPELINE = 'experiment-bench';
const TASK_QUEUE = 'experiment-bench';
const FLOOR_TASK_QUEUE = 'experiment-bench-floor';
/** The issue's bar: the experiment through Temporal within 2× the same fits back to back in one process. */
const TARGET_RATIO = 2;
/** Interleaved rounds, medians reported: on a shared 2-core machine one run says little. */
const ROUNDS = 9;

/** How the cells are run: the default batching (one activity for 32 cells), and fanned out over two child batches. */
const VARIANTS = [
  { name: 'default', label: 'budget.parallel 8, default batching (one activity for all 32 cells, in the experiment workflow)', budget: { parallel: 8 } },
  { name: 'two-batches', label: 'budget.parallel 8, cellsPerBatch 16 (two child workflows, one per pool thread)', budget: { parallel: 8, cellsPerBatch: 16 } },
];

interface Phases {
  record: number;
  batch: number;
  analyse: number;
}
const PHASES: { key: keyof Phases; label: string }[] = [
  { key: 'record', label: 'start to the batch scheduled (first workflow task, recording the experiment)' },
  { key: 'batch', label: 'the batch activity, scheduled to completed (rows loaded, 96 fits in a pooled thread, cells stored)' },
  { key: 'analyse', label: 'then to the end (last workflow task, the analysis)' },
];

/** A 2⁵ full factorial of ridge on the bundled data: 32 cells × 3 folds = 96 fits. */
const SPEC = {
  name: 'bench',
  pipeline: PIPELINE,
  factors: {
    alpha: { kind: 'param', param: 'alpha', levels: [1, 100] },
    lags: { kind: 'lags', levels: [[1], [1, 2, 3]] },
    manufacturing: { kind: 'feature', column: 'manufacturing' },
    construction: { kind: 'feature', column: 'construction' },
    government: { kind: 'feature', column: 'government' },
  },
  design: { kind: 'full-factorial' },
  replication: { folds: 3 },
};

/**
 * The orchestration overhead of an experiment: a 2⁵ × 3-fold ridge experiment through Temporal
 * (cells scored in batches, each batch one pooled-thread activity loading its rows from
 * PostgreSQL, every cell stored, the analysis stored), against the same 96 fits back to back in one
 * process on rows loaded once, and against Temporal's floor: the same workflow shape with steps that
 * do nothing. Every way must score every cell the same.
 */
export async function benchExperiment(say: (line: string) => void): Promise<BenchResult> {
  const loadAtStart = loadAverage();
  const databaseUrl = await createBenchDatabase('experiment');
  const pool = createPool(databaseUrl);
  const env = await startBenchTemporal(say);
  const pipelinesDir = writeBundledSpecs([PIPELINE]);
  const worker = await createDriftlineWorker({
    connection: env.nativeConnection,
    config: { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: TASK_QUEUE },
    deps: { pool, codeVersion: 'bench', pipelinesDir },
    workflowBundle: await prebuiltWorkflowBundle(say),
  });
  // Temporal's own floor for the experiment's shape: a second worker, in this process too, whose
  // steps do nothing (scripts/bench/experiment/floor-workflow.ts).
  const floorWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: FLOOR_TASK_QUEUE,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./experiment/floor-workflow.ts', import.meta.url)), logger: quietBundlerLogger }),
    activities: floorActivities,
  });
  const running = Promise.all([worker.run(), floorWorker.run()]);
  try {
    await env.client.workflow.execute(modelPipeline, { taskQueue: TASK_QUEUE, workflowId: 'experiment-bench-ingest', args: [{ pipeline: PIPELINE, requestedBy: 'bench' }] });
    // A first experiment pays once for what any long-lived worker has already done: the experiment
    // modules imported into the pool's threads and the workflow code into its sandbox.
    await env.client.workflow.execute(runExperiment, { taskQueue: TASK_QUEUE, workflowId: 'experiment-bench-warm-up', args: [{ experiment: { ...SPEC, name: 'bench-warm-up' }, requestedBy: 'bench' }] });
    await env.client.workflow.execute(floorExperiment, { taskQueue: FLOOR_TASK_QUEUE, workflowId: 'experiment-bench-floor-warm-up', args: [{ cells: 32 }] });
    say('ingested the bundled data and ran one experiment to warm the worker; running the experiment through Temporal');
    const runs: { label: string; ms: number[]; summary: ExperimentSummary }[] = VARIANTS.map((variant) => ({ label: variant.label, ms: [], summary: undefined as unknown as ExperimentSummary }));
    const inProcessRounds: number[] = [];
    const floorRounds: number[] = [];
    const phases: Phases[] = [];
    let inProcess = { fits: 0, scores: [] as number[][] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [i, variant] of VARIANTS.entries()) {
        const start = performance.now();
        const summary = await env.client.workflow.execute(runExperiment, { taskQueue: TASK_QUEUE, workflowId: `experiment-bench-${variant.name}-${round}`, args: [{ experiment: { ...SPEC, name: `bench-${variant.name}-${round}`, budget: variant.budget }, requestedBy: 'bench' }] });
        const run = runs[i] as (typeof runs)[number];
        run.ms.push(performance.now() - start);
        if (variant.name === 'default') phases.push(await phasesOf(`experiment-bench-${variant.name}-${round}`));
        run.summary = summary;
        say(`round ${round + 1}: through Temporal, ${variant.label}: ${((performance.now() - start) / 1000).toFixed(2)} s (${summary.counts.done} cells done)`);
      }
      const floorStart = performance.now();
      await env.client.workflow.execute(floorExperiment, { taskQueue: FLOOR_TASK_QUEUE, workflowId: `experiment-bench-floor-${round}`, args: [{ cells: 32 }] });
      floorRounds.push(performance.now() - floorStart);
      say(`round ${round + 1}: the same shape with steps that do nothing: ${ms(floorRounds.at(-1) as number)}`);
      const inProcessStart = performance.now();
      inProcess = await backToBack(pool);
      inProcessRounds.push(performance.now() - inProcessStart);
      say(`round ${round + 1}: back to back in one process: ${((inProcessRounds.at(-1) as number) / 1000).toFixed(2)} s (${inProcess.fits} fits)`);
    }
    const inProcessMs = median(inProcessRounds);
    const stored = (await Promise.all(runs.map((run) => experimentCells(pool, run.summary.experimentId)))).flat();
    const largestDifference = Math.max(...stored.map((cell) => Math.max(...(cell.scores ?? [NaN]).map((s, i) => Math.abs(s - (inProcess.scores[cell.cellIndex]?.[i] ?? NaN))))));
    const machineLoad = describeMachineLoad(loadAtStart, loadAverage());
    // Each round's ratio against that round's in-process time, so a busy moment weighs on both sides.
    const ratiosOf = (times: number[]) => times.map((t, round) => t / (inProcessRounds[round] as number)).sort((a, b) => a - b);
    const ratios = (run: (typeof runs)[number]) => ratiosOf(run.ms);
    const row = (label: string, times: number[]) => {
      const each = ratiosOf(times);
      return `| ${label} | ${ms(median(times))} | ${median(each).toFixed(2)}× (${(each[0] as number).toFixed(2)}–${(each.at(-1) as number).toFixed(2)}×) |`;
    };
    const rows = runs.map((run) => row(`runExperiment through Temporal, ${run.label}`, run.ms));
    const floorRatio = median(ratiosOf(floorRounds));
    const markdown = [
      `A 2⁵ full factorial × 3 folds of ridge on the bundled us-employment data (32 cells, ${inProcess.fits} fits), one worker in this process, warmed by one experiment first; each run through Temporal records the experiment, scores every cell in a pooled thread from rows it loads from PostgreSQL, stores every cell and the analysis. ${ROUNDS} interleaved rounds: medians, and the ratio's median (range) over the rounds, each round's run against that round's in-process time.`,
      '',
      `| | median wall time | vs in process (target < ${TARGET_RATIO}×) |`,
      '|---|---|---|',
      ...rows,
      row("Temporal's floor: the default run's shape (a local activity, an activity, a local activity) with steps that do nothing, on a worker of its own in this process", floorRounds),
      `| the same ${inProcess.fits} fits back to back in one process (rows loaded once, no storage, no analysis) | ${ms(inProcessMs)} | 1× |`,
      '',
      `Temporal alone, with nothing recorded, loaded, fitted, stored or analysed, takes ${floorRatio.toFixed(2)}× the in-process time (median of the rounds): under ${TARGET_RATIO}×, every run through Temporal would have ${ms(Math.max(0, TARGET_RATIO * inProcessMs - median(floorRounds)))} (median) left to record the experiment, load the rows, make the ${inProcess.fits} fits, store ${runs[0]?.summary.counts.done} cells and analyse them.`,
      '',
      `Where the default run's time goes (medians from its history): ${PHASES.map((phase) => `${phase.label} ${median(phases.map((p) => p[phase.key])).toFixed(0)} ms`).join('; ')}.`,
      '',
      `Every cell scored the same every way (largest difference ${largestDifference.toExponential(1)}). ${machineLoad}`,
    ].join('\n');
    const data = { rounds: ROUNDS, inProcessMs: inProcessRounds, floorMs: floorRounds, floorRatio, defaultPhasesMs: phases, targetRatio: TARGET_RATIO, fits: inProcess.fits, runs: runs.map((run) => ({ label: run.label, ms: run.ms, ratios: ratios(run), cells: run.summary.counts })), largestDifference, machineLoad };
    return { name: 'experiment', markdown, data };
  } finally {
    worker.shutdown();
    floorWorker.shutdown();
    await running;
    await pool.end();
    await env.teardown();
    await dropBenchDatabase(databaseUrl);
  }

  /**
   * A run's wall time in its three parts, from the server's timestamps: until the batch activity is
   * scheduled (the first workflow task, recording the experiment in a local activity), the batch
   * activity from scheduled to completed, and from then to the end (the analysis, a local activity
   * in the last workflow task).
   */
  async function phasesOf(workflowId: string): Promise<Phases> {
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number] | undefined) => Number(e?.eventTime?.seconds) * 1000 + Number(e?.eventTime?.nanos) / 1e6;
    const scheduled = at(events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'evaluateExperimentBatch'));
    const completed = at(events.find((e) => e.activityTaskCompletedEventAttributes));
    return { record: scheduled - at(events[0]), batch: completed - scheduled, analyse: at(events.at(-1)) - completed };
  }

  /** The experiment's cells scored one after another on this event loop, from one load of the rows. */
  async function backToBack(db: typeof pool): Promise<{ fits: number; scores: number[][] }> {
    const spec = ExperimentSpec.parse(SPEC);
    const { spec: pipeline } = await loadPipelineSpec(PIPELINE, pipelinesDir);
    const snapshotId = (await latestSnapshotId(db, PIPELINE)) as number;
    const scores: number[][] = [];
    let fits = 0;
    const frame = frameOf(trainingData(await loadPipelineData(db, pipeline, snapshotId), pipeline.arrival));
    for (const cell of designCells(spec)) {
      const configured = configureCell(pipeline, spec.factors, cell);
      const scored = await scoreCell(frame, configured, BUILT_IN_TRAINERS.ridge, spec.replication, false);
      scores[cell.index] = scored.scores;
      fits += scored.folds;
    }
    return { fits, scores };
  }
}

function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}
