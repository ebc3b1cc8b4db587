import { z } from 'zod';

/** Where a pipeline's data comes from. */
export const DataSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    /** Absolute, or relative to the spec file's folder. */
    path: z.string().min(1),
    format: z.literal('csv').default('csv'),
  }),
  z.object({
    kind: z.literal('package-file'),
    /** An installed npm package that ships data files (read from disk, not imported). */
    package: z.string().min(1),
    path: z.string().min(1),
    format: z.literal('csv').default('csv'),
  }),
]);
export type DataSource = z.infer<typeof DataSource>;

export const ColumnType = z.enum(['numeric', 'integer', 'categorical', 'boolean', 'timestamp']);
export type ColumnType = z.infer<typeof ColumnType>;

export const ColumnSpec = z.object({
  type: ColumnType,
  nullable: z.boolean().default(false),
});
export type ColumnSpec = z.infer<typeof ColumnSpec>;

/** Features derived from the columns; time-series features follow the time column's order. */
export const FeatureSpec = z.object({
  /** Numeric columns used as they are, at the same time step as the prediction is made. */
  columns: z.array(z.string()).default([]),
  /** Lagged values of the target: 1 is last month's value when the series is monthly. */
  targetLags: z.array(z.number().int().positive()).default([]),
  /** Means of the target over the last N steps. */
  targetRollingMeans: z.array(z.number().int().min(2)).default([]),
});
export type FeatureSpec = z.infer<typeof FeatureSpec>;

export const RidgeParams = z.object({
  alpha: z.number().nonnegative().default(1),
});
export type RidgeParams = z.infer<typeof RidgeParams>;

export const ModelSpec = z.object({
  /** The registered model's name; versions 1, 2, 3 … are numbered under it. */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { message: 'lowercase letters, digits, dot, dash, underscore' }),
  trainer: z.literal('ridge'),
  params: RidgeParams.default({ alpha: 1 }),
});
export type ModelSpec = z.infer<typeof ModelSpec>;

export const Metric = z.enum(['mae', 'rmse', 'r2']);
export type Metric = z.infer<typeof Metric>;

export const EvaluationSpec = z.object({
  /** Share of the most recent rows held out for scoring (time-based split). */
  holdoutFraction: z.number().gt(0).lt(1).default(0.2),
  /** The metric that decides promotion; r2 is higher-is-better, the others lower-is-better. */
  primaryMetric: Metric.default('rmse'),
});

export const PromotionSpec = z.object({
  /** The candidate must beat the champion's primary metric by at least this much (absolute). */
  minImprovement: z.number().nonnegative().default(0),
});

export const PipelineSpec = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lowercase letters, digits and dashes' }),
    description: z.string().default(''),
    source: DataSource,
    columns: z.record(z.string().min(1), ColumnSpec).refine((cols) => Object.keys(cols).length > 0, {
      message: 'declare at least one column',
    }),
    timeColumn: z.string().optional(),
    target: z.string(),
    /** How many steps ahead the target is predicted (1 = next row). */
    horizon: z.number().int().positive().default(1),
    features: FeatureSpec.default({ columns: [], targetLags: [], targetRollingMeans: [] }),
    model: ModelSpec,
    evaluation: EvaluationSpec.default({ holdoutFraction: 0.2, primaryMetric: 'rmse' }),
    promotion: PromotionSpec.default({ minImprovement: 0 }),
  })
  .superRefine((spec, ctx) => {
    const declared = new Set(Object.keys(spec.columns));
    const mustExist = (column: string | undefined, path: (string | number)[]) => {
      if (column !== undefined && !declared.has(column)) {
        ctx.addIssue({ code: 'custom', path, message: `column "${column}" is not declared in columns` });
      }
    };
    mustExist(spec.target, ['target']);
    mustExist(spec.timeColumn, ['timeColumn']);
    spec.features.columns.forEach((column, i) => mustExist(column, ['features', 'columns', i]));
    const targetType = spec.columns[spec.target]?.type;
    if (targetType !== undefined && targetType !== 'numeric' && targetType !== 'integer') {
      ctx.addIssue({ code: 'custom', path: ['target'], message: 'the target must be a numeric or integer column' });
    }
    const hasFeatures =
      spec.features.columns.length + spec.features.targetLags.length + spec.features.targetRollingMeans.length > 0;
    if (!hasFeatures) ctx.addIssue({ code: 'custom', path: ['features'], message: 'declare at least one feature' });
  });
export type PipelineSpec = z.infer<typeof PipelineSpec>;
