import { z } from 'zod';
import { ArrivalSpec, timeWindowPaths } from '../arrival/arrival-spec';
import { ColumnSpec } from '../data/column-spec';
import { rowFilterIssues } from '../data/row-filter';
import { DataSource } from '../data/source-spec';
import { DriftSpec } from '../drift/drift-spec';
import { DatasetChecks } from '../validation/checks-spec';
import { NormPolicy } from '../norms/runtime-norm';
import { MetricGate } from '../evaluation/gates';
import { HoldoutSpec, holdoutIssues } from '../evaluation/holdout';
import { TargetTransform } from '../model/target-transform';
import { FeatureTransforms, transformFeatureCount, transformIssues } from '../model/transforms/transforms-spec';
import { ScheduleSpec } from './schedule-spec';
import { ScoringSpec } from '../scoring/scoring-spec';

// Sources and columns are defined beside the code that reads them; the spec re-exports them.
export { ColumnSpec, ColumnType } from '../data/column-spec';
export { DataSource } from '../data/source-spec';
export { DatasetChecks } from '../validation/checks-spec';

/** Features derived from the columns; time-series features follow the time column's order. */
export const FeatureSpec = z.object({
  /** Numeric columns used as they are, at the same time step as the prediction is made. */
  columns: z.array(z.string()).default([]),
  /** Categorical columns, one-hot encoded; the categories are learned from the training data. */
  categorical: z.array(z.string()).default([]),
  /** Lagged values of the target: 1 is last month's value when the series is monthly. */
  targetLags: z.array(z.number().int().positive()).default([]),
  /** Means of the target over the last N steps. */
  targetRollingMeans: z.array(z.number().int().min(2)).default([]),
  /** Products of two numeric features, named by column or derived name (e.g. ["target_lag_1", "nonfarm"]). */
  interactions: z.array(z.tuple([z.string(), z.string()])).default([]),
  /** Derived columns, lags and rolling statistics of any numeric column, date parts (README "Feature transforms"). */
  ...FeatureTransforms,
}).strict();
export type FeatureSpec = z.infer<typeof FeatureSpec>;

/** A variable a command trainer may see; Driftline's own settings (and libpq's) hold secrets and never pass. */
const TrainerEnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'an environment variable name' })
  .refine((name) => !/^(DATABASE_URL|DRIFTLINE_\w*|TEMPORAL_\w*|PG\w*)$/.test(name), { message: "Driftline's own settings never reach a trainer" });

/**
 * Who trains the model: a built-in trainer, a JS/TS module exporting `train` and `predict`
 * (path relative to the spec's folder), or an external command speaking the file protocol
 * described in the README.
 */
export const TrainerSpec = z.union([
  z.enum(['ridge', 'gradient-boosting', 'logistic']),
  z.object({ module: z.string().min(1) }).strict(),
  z.object({
    command: z.array(z.string().min(1)).min(1),
    /** Variables the command inherits beyond the basic allow-list (PATH, HOME, LANG, PYTHON*, …). */
    env: z.array(TrainerEnvName).max(100).optional(),
  }).strict(),
]);
export type TrainerSpec = z.infer<typeof TrainerSpec>;

export const ModelSpec = z.object({
  /** The registered model's name; versions 1, 2, 3 … are numbered under it. */
  name: z.string().max(200, { message: 'at most 200 characters' }).regex(/^[a-z0-9][a-z0-9._-]*$/, { message: 'lowercase letters, digits, dot, dash, underscore' }),
  trainer: TrainerSpec,
  /** Passed to the trainer; built-in trainers validate their own (see lib/trainers/). */
  params: z.record(z.string(), z.unknown()).default({}),
}).strict();
export type ModelSpec = z.infer<typeof ModelSpec>;

export const REGRESSION_METRICS = ['mae', 'rmse', 'r2', 'smape'] as const;
/** Scores of class probabilities (lib/model/metrics.ts defines each as scikit-learn does). */
export const CLASSIFICATION_METRICS = ['accuracy', 'balanced_accuracy', 'f1_macro', 'roc_auc', 'log_loss', 'brier'] as const;
export const Metric = z.enum([...REGRESSION_METRICS, ...CLASSIFICATION_METRICS]);
export type Metric = z.infer<typeof Metric>;

export const EvaluationSpec = z.object({
  /** The newest examples held out for scoring: `{ "fraction": 0.2 }` or `{ "from": "2019-01-01" }`. */
  holdout: HoldoutSpec.default({ fraction: 0.2 }),
  /** Fewer held-out examples than this decide nothing: the `min_holdout` gate fails. */
  minHoldout: z.number().int().positive().default(30),
  /** Rows per season (12 for monthly data with a yearly cycle): adds the seasonal naive baseline. */
  season: z.number().int().positive().optional(),
  /**
   * After scoring, refit the version on all its examples, holdout included, so the model served
   * has seen the newest data. `false` registers the fit that was scored.
   */
  refit: z.boolean().default(true),
  /** The metric that decides promotion (a classification pipeline declares one of its own); r2, accuracy, balanced_accuracy, f1_macro and roc_auc are higher-is-better, the others lower-is-better. */
  primaryMetric: Metric.default('rmse'),
}).strict();

export const PromotionSpec = z.object({
  /** Per-metric gates; with a champion the primary metric must also improve beyond noise (see lib/evaluation/gates.ts). */
  gates: z.partialRecord(Metric, MetricGate).default({}),
  /** The candidate must beat the best naive baseline (last value, seasonal naive, mean) on the primary metric. */
  beatBaselines: z.boolean().default(true),
  /** Wait for a person to approve (workflow Update `approve` / `reject`) before the switch. */
  requireApproval: z.boolean().default(false),
  /** Without a decision in this time, the candidate is rejected. */
  approvalTimeoutHours: z.number().positive().default(24),
}).strict();

export const TrainingSpec = z.object({
  /** The runtime norm: a run past it is cancelled and the data team notified. */
  norm: NormPolicy.default(NormPolicy.parse({})),
}).strict();

export const PipelineSpec = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lowercase letters, digits and dashes' }),
    description: z.string().default(''),
    source: DataSource,
    /** How new data arrives (whole history or batches): what drift compares and what a retrain learns from. */
    arrival: ArrivalSpec.default(ArrivalSpec.parse({})),
    columns: z.record(z.string().min(1), ColumnSpec).refine((cols) => Object.keys(cols).length > 0, {
      message: 'declare at least one column',
    }),
    timeColumn: z.string().optional(),
    /** Columns whose values identify a row; the duplicateKeys check looks for repeats. */
    keyColumns: z.array(z.string()).default([]),
    target: z.string(),
    /**
     * A regression target learned on a transform (`log1p`, `log`, `sqrt`): predictions are
     * back-transformed as they leave the model, so metrics and baselines stay in the target's units.
     */
    targetTransform: TargetTransform.optional(),
    /**
     * What the model predicts: inferred from the target's type (categorical or boolean: the class;
     * numeric or integer: the number); `"classification"` declares integer codes to be classes.
     */
    task: z.enum(['regression', 'classification']).optional(),
    /**
     * `time-series` (the default): rows are steps of a series and the label is the target `horizon`
     * steps later. `cross-sectional`: one row per item, the label is the row's own target (no
     * horizon, no lags of the target) and the holdout is a seeded random share of the rows.
     */
    kind: z.enum(['time-series', 'cross-sectional']).default('time-series'),
    /**
     * Categorical columns that split the rows into separate series (panel data): lags, rolling
     * means, labels and horizons stay within a group, and drift is ranked per group.
     */
    groupBy: z.array(z.string()).default([]),
    /** How many steps ahead the target is predicted (1 = next row); a cross-sectional pipeline has none. */
    horizon: z.number().int().positive().default(1),
    features: FeatureSpec.default({ columns: [], categorical: [], targetLags: [], targetRollingMeans: [], interactions: [] }),
    model: ModelSpec,
    evaluation: EvaluationSpec.default(EvaluationSpec.parse({})),
    promotion: PromotionSpec.default(PromotionSpec.parse({})),
    checks: DatasetChecks.default(DatasetChecks.parse({})),
    training: TrainingSpec.default(TrainingSpec.parse({})),
    /** Drift detection against the champion's training data, and what a verdict makes the pipeline do. */
    drift: DriftSpec.default(DriftSpec.parse({})),
    /** Optional: when the pipeline runs by itself (see `driftline schedule`). */
    schedule: ScheduleSpec.optional(),
    /** Optional: batch scoring with the champion (`driftline score`, workflow scoreBatch), with a schedule of its own. */
    scoring: ScoringSpec.optional(),
  })
  // A misspelt key (e.g. "promtion") is refused by name instead of silently ignored.
  .strict()
  .superRefine((spec, ctx) => {
    const declared = new Set(Object.keys(spec.columns));
    const mustExist = (column: string | undefined, path: (string | number)[]) => {
      if (column !== undefined && !declared.has(column)) {
        ctx.addIssue({ code: 'custom', path, message: `column "${column}" is not declared in columns` });
      }
    };
    mustExist(spec.target, ['target']);
    rowFilterIssues(spec.source.where ?? [], spec.columns).forEach(({ path, message }) => ctx.addIssue({ code: 'custom', path: ['source', 'where', ...path], message }));
    rowFilterIssues(spec.scoring?.source.where ?? [], spec.columns).forEach(({ path, message }) => ctx.addIssue({ code: 'custom', path: ['scoring', 'source', 'where', ...path], message }));
    mustExist(spec.timeColumn, ['timeColumn']);
    spec.keyColumns.forEach((column, i) => mustExist(column, ['keyColumns', i]));
    Object.keys(spec.checks.nullFraction).forEach((column) => mustExist(column, ['checks', 'nullFraction', column]));
    if (spec.checks.duplicateKeys && spec.keyColumns.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['checks', 'duplicateKeys'], message: 'needs keyColumns' });
    }
    if (spec.timeColumn === undefined) {
      timeWindowPaths(spec.arrival).forEach((path) => ctx.addIssue({ code: 'custom', path, message: 'a window in days or months needs a timeColumn' }));
    }
    if (spec.evaluation.holdout.from !== undefined && spec.timeColumn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['evaluation', 'holdout', 'from'], message: 'a holdout by date needs a timeColumn' });
    }
    if (spec.checks.freshness && spec.timeColumn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['checks', 'freshness'], message: 'needs a timeColumn' });
    }
    spec.features.columns.forEach((column, i) => mustExist(column, ['features', 'columns', i]));
    Object.keys(spec.drift.columns).forEach((column) => mustExist(column, ['drift', 'columns', column]));
    const timeType = spec.timeColumn === undefined ? undefined : spec.columns[spec.timeColumn]?.type;
    // Rows are ordered and windows cut by instants: a time column of another type has none.
    if (timeType !== undefined && timeType !== 'timestamp') {
      ctx.addIssue({ code: 'custom', path: ['timeColumn'], message: `the time column must be a timestamp column, not ${timeType}` });
    }
    checkTask(spec, ctx);
    spec.features.categorical.forEach((column, i) => mustExist(column, ['features', 'categorical', i]));
    checkShape(spec, ctx);
    transformIssues(spec).forEach((issue) => ctx.addIssue({ code: 'custom', ...issue }));
    holdoutIssues(spec.evaluation.holdout, spec).forEach((issue) => ctx.addIssue({ code: 'custom', ...issue }));
    const hasFeatures =
      spec.features.columns.length +
        spec.features.categorical.length +
        spec.features.targetLags.length +
        spec.features.targetRollingMeans.length +
        transformFeatureCount(spec.features) >
      0;
    if (!hasFeatures) ctx.addIssue({ code: 'custom', path: ['features'], message: 'declare at least one feature' });
  });
export type PipelineSpec = z.infer<typeof PipelineSpec>;

/** The rules of `kind` and `groupBy`, each refusal naming the field that breaks it. */
function checkShape(spec: PipelineSpec, ctx: z.RefinementCtx): void {
  spec.groupBy.forEach((column, i) => {
    const type = spec.columns[column]?.type;
    if (type === undefined) ctx.addIssue({ code: 'custom', path: ['groupBy', i], message: `column "${column}" is not declared in columns` });
    else if (type !== 'categorical') ctx.addIssue({ code: 'custom', path: ['groupBy', i], message: `groups come from a categorical column; "${column}" is ${type}` });
  });
  const { holdout } = spec.evaluation;
  if (spec.kind === 'time-series') {
    if (holdout.seed !== undefined) ctx.addIssue({ code: 'custom', path: ['evaluation', 'holdout', 'seed'], message: 'a time-series holdout is the newest examples, not a random share; seed is for kind "cross-sectional"' });
    return;
  }
  const why = 'a cross-sectional pipeline predicts each row\'s own target';
  if (spec.horizon !== 1) ctx.addIssue({ code: 'custom', path: ['horizon'], message: `${why}: leave horizon out` });
  if (spec.features.targetLags.length > 0) ctx.addIssue({ code: 'custom', path: ['features', 'targetLags'], message: `${why}: lags of the target need kind "time-series"` });
  if (spec.features.targetRollingMeans.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['features', 'targetRollingMeans'], message: `${why}: rolling means of the target need kind "time-series"` });
  }
  if (spec.evaluation.season !== undefined) ctx.addIssue({ code: 'custom', path: ['evaluation', 'season'], message: `${why}: the seasonal baseline needs kind "time-series"` });
}

/** Whether the pipeline predicts classes: declared, or a categorical or boolean target. */
export function taskOf(spec: Pick<PipelineSpec, 'task' | 'target' | 'columns'>): 'regression' | 'classification' {
  const type = spec.columns[spec.target]?.type;
  return spec.task ?? (type === 'categorical' || type === 'boolean' ? 'classification' : 'regression');
}

/** The target's type fits the task, and the primary metric and every gate score that task. */
function checkTask(spec: PipelineSpec, ctx: z.RefinementCtx): void {
  const type = spec.columns[spec.target]?.type;
  if (type === undefined) return;
  const task = taskOf(spec);
  const fits = task === 'classification' ? type !== 'numeric' && type !== 'timestamp' : type === 'numeric' || type === 'integer';
  if (!fits) {
    const message = task === 'classification' ? `classes come from a categorical, boolean or integer target, not ${type}` : `a regression target is numeric or integer, not ${type}`;
    ctx.addIssue({ code: 'custom', path: spec.task ? ['task'] : ['target'], message });
    return;
  }
  const allowed: readonly Metric[] = task === 'classification' ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  const refuse = (metric: Metric, path: (string | number)[]) => {
    if (!allowed.includes(metric)) ctx.addIssue({ code: 'custom', path, message: `${metric} does not score ${task === 'classification' ? 'classes' : 'numbers'}: a ${task} target takes one of ${allowed.join(', ')}` });
  };
  refuse(spec.evaluation.primaryMetric, ['evaluation', 'primaryMetric']);
  if (task === 'classification' && spec.targetTransform !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['targetTransform'], message: `classes cannot be ${spec.targetTransform}-transformed: a target transform is for a numeric regression target` });
  }
  const trainer = spec.model.trainer;
  if ((trainer === 'ridge' && task === 'classification') || (trainer === 'logistic' && task === 'regression')) {
    ctx.addIssue({ code: 'custom', path: ['model', 'trainer'], message: `${trainer} does not fit a ${task} target: use ${task === 'classification' ? '"logistic" or "gradient-boosting"' : '"ridge" or "gradient-boosting"'}` });
  }
  if (task === 'classification' && spec.features.targetLags.length + spec.features.targetRollingMeans.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['features', spec.features.targetLags.length > 0 ? 'targetLags' : 'targetRollingMeans'], message: 'classes have no lags or means: declare the target column under features.categorical to use its values' });
  }
  Object.keys(spec.promotion.gates).forEach((metric) => refuse(metric as Metric, ['promotion', 'gates', metric]));
  // A classifier's decay defaults to log loss (the default rmse is a regressor's); a regressor cannot decay on a loss of classes.
  const decayMetric = spec.drift.accuracyDecay.metric;
  if (task === 'regression') refuse(decayMetric, ['drift', 'accuracyDecay', 'metric']);
}
