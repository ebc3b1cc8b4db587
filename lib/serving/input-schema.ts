import { z } from 'zod';
import { parseTimestamp } from '../data/timestamp';
import type { Row } from '../data/typed-row';
import { transformSourceColumns, type FeaturePlan } from '../model/features';
import type { ColumnSpec, ColumnSpecs } from '../data/column-spec';
import { columnsReadBy } from './check-batch';

/** What a served version takes: the declared columns it reads (required unless nullable) and the others a row may carry. */
export interface InputSchema {
  /** Column specs as scoring reads them: an unread target is nullable (a request does not know the answer). */
  columns: ColumnSpecs;
  /** The columns the model reads: a row must hold each (a value, or null where nullable). */
  required: string[];
  /** Declared columns a row may also carry (keys, an unread target): checked by type, not needed. */
  optional: string[];
}

/**
 * The columns a request for this plan must and may send, from the pipeline's declared columns.
 * The target is needed only when the model reads it (a lag, a rolling mean, a feature itself).
 */
export function inputSchemaOf(plan: FeaturePlan, declared: ColumnSpecs): InputSchema {
  const readsTarget = plan.features.targetLags.length + plan.features.targetRollingMeans.length > 0 || transformSourceColumns(plan.features).includes(plan.target) || plan.features.columns.includes(plan.target) || plan.features.categorical.includes(plan.target);
  const required = columnsReadBy(plan).filter((column) => column !== plan.target || readsTarget);
  const columns = Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => [name, required.includes(name) ? spec : { ...spec, nullable: true }]),
  ) as ColumnSpecs;
  const missing = required.filter((column) => declared[column] === undefined);
  if (missing.length > 0) throw new Error(`the pipeline's spec no longer declares ${missing.map((c) => `"${c}"`).join(', ')}, which the model reads`);
  return { columns, required, optional: Object.keys(declared).filter((name) => !required.includes(name)) };
}

/**
 * The strict zod schema of one request row: every declared column typed as declared (ranges and
 * allowed values included, as ingest checks them), unknown columns refused. Missing cells become
 * null and timestamps canonical ISO 8601 UTC, the row shape models read.
 */
export function rowSchemaOf(schema: InputSchema): z.ZodType<Row> {
  const shape = Object.fromEntries(Object.entries(schema.columns).map(([name, spec]) => [name, cellSchema(spec)]));
  return z
    .object(shape)
    .strict()
    .transform((row) => Object.fromEntries(Object.keys(schema.columns).map((name) => [name, row[name] ?? null])) as Row);
}

function cellSchema(spec: ColumnSpec): z.ZodType {
  const value = valueSchema(spec);
  return spec.nullable ? value.nullable().optional() : value;
}

function valueSchema(spec: ColumnSpec): z.ZodType {
  switch (spec.type) {
    case 'numeric':
    case 'integer': {
      let number = spec.type === 'integer' ? z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER) : z.number();
      if (typeof spec.min === 'number') number = number.min(spec.min);
      if (typeof spec.max === 'number') number = number.max(spec.max);
      return number;
    }
    case 'boolean':
      return z.boolean();
    case 'categorical':
      return spec.values ? z.enum(spec.values as [string, ...string[]]) : z.string();
    case 'timestamp':
      return z
        .string()
        .transform((text, ctx) => {
          const ms = parseTimestamp(text);
          if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 timestamp, e.g. 2020-01-31 or 2020-01-31T12:00:00Z' });
          else if (typeof spec.min === 'string' && ms < (parseTimestamp(spec.min) as number)) ctx.addIssue({ code: 'custom', message: `is before ${spec.min}` });
          else if (typeof spec.max === 'string' && ms > (parseTimestamp(spec.max) as number)) ctx.addIssue({ code: 'custom', message: `is after ${spec.max}` });
          return ms === undefined ? text : new Date(ms).toISOString();
        });
  }
}

/** A request body: one row or an array of them. */
export const RequestRows = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);

/**
 * Parses a request's rows, or says which row and column are wrong ("row 3, column \"Sex\": …"),
 * naming only the first few problems.
 */
export function parseRows(rowSchema: z.ZodType<Row>, rows: unknown[]): { rows: Row[] } | { problem: string } {
  const parsed = z.array(rowSchema).safeParse(rows);
  if (parsed.success) return { rows: parsed.data };
  const problems = parsed.error.issues.slice(0, 5).map(describeIssue);
  const more = parsed.error.issues.length - problems.length;
  return { problem: problems.join('; ') + (more > 0 ? `; and ${more} more` : '') };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const [row, column] = issue.path;
  const where = row === undefined ? 'request' : `row ${String(row)}`;
  if (issue.code === 'unrecognized_keys') return `${where}: ${issue.keys.map((k) => `"${k}"`).join(', ')} ${issue.keys.length === 1 ? 'is not a declared column' : 'are not declared columns'}`;
  if (column === undefined) return `${where}: ${issue.code === 'invalid_type' ? 'expected an object of column values' : issue.message}`;
  return `${where}, column "${String(column)}": ${issue.message}`;
}

/** What `GET /v1/models/:model` shows of the input: each column's type and rules, and whether the model reads it. */
export function describeInput(schema: InputSchema): Record<string, ColumnSpec & { readByModel: boolean }> {
  return Object.fromEntries(
    [...schema.required, ...schema.optional].map((name) => {
      const { description, unit, ...rules } = schema.columns[name] as ColumnSpec;
      return [name, { ...rules, ...(unit && { unit }), ...(description && { description }), readByModel: schema.required.includes(name) }];
    }),
  );
}
