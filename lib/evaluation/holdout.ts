import { z } from 'zod';
import { NULL_CODE } from '../data/columns/column-table';
import type { Frame } from '../data/columns/frame';
import type { ColumnSpec } from '../data/column-spec';
import { parseTimestamp } from '../data/timestamp';
import { featureOrder, type Examples, type FeaturePlan } from '../model/features';

/**
 * Which examples are held out for scoring: the newest share of them (`{ "fraction": 0.2 }`), or
 * every example from a date on (`{ "from": "2019-01-01" }`, needs a time column): by time, so no
 * future leaks into training. A cross-sectional pipeline holds out a random share instead, drawn
 * per row from `seed` (default 0) so the evaluation finds the same rows again; or the rows a
 * column marks (`{ "column": "split", "value": "test" }`), when the data comes with its own split.
 */
export const HoldoutSpec = z
  .object({
    fraction: z.number().gt(0).lt(1).optional(),
    seed: z.number().int().min(0).optional(),
    from: z
      .string()
      .refine((text) => parseTimestamp(text) !== undefined, { message: 'an ISO date such as 2019-01-01' })
      .optional(),
    /** A categorical or boolean column: rows holding `value` in it are held out, the others trained on. */
    column: z.string().min(1).optional(),
    value: z.string().optional(),
  })
  .strict()
  .refine((h) => [h.fraction, h.from, h.column].filter((given) => given !== undefined).length === 1, {
    message: 'give either fraction (e.g. 0.2), from (an ISO date such as 2019-01-01) or column with value (e.g. "split" and "test")',
  });
export type HoldoutSpec = z.infer<typeof HoldoutSpec>;

/** What a holdout needs from the rest of the spec. */
interface HoldoutContext {
  kind: 'time-series' | 'cross-sectional';
  columns: Record<string, ColumnSpec>;
}

/** The holdout's own rules against the pipeline's shape and columns, each refusal naming its field. */
export function holdoutIssues(holdout: HoldoutSpec, spec: HoldoutContext): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const refuse = (field: string, message: string) => issues.push({ path: ['evaluation', 'holdout', field], message });
  // A time-series holdout refuses any seed already (checkShape in lib/spec/pipeline-spec.ts).
  if (spec.kind === 'cross-sectional' && holdout.seed !== undefined && holdout.fraction === undefined) refuse('seed', 'a seed draws a random share: it goes with fraction');
  if ((holdout.column === undefined) !== (holdout.value === undefined)) refuse(holdout.column === undefined ? 'column' : 'value', 'a holdout by column gives both column and value');
  if (holdout.column === undefined) return issues;
  const column = spec.columns[holdout.column];
  const type = column?.type;
  if (type === undefined) refuse('column', `column "${holdout.column}" is not declared in columns`);
  else if (type !== 'categorical' && type !== 'boolean') refuse('column', `rows are marked by a categorical or boolean column; "${holdout.column}" is ${type}`);
  else {
    // A value the column cannot hold would hold out no row: refused here rather than after loading the data.
    const holds = type === 'boolean' ? ['true', 'false'] : column?.values;
    if (holds !== undefined && holdout.value !== undefined && !holds.includes(holdout.value)) {
      refuse('value', `"${holdout.value}" is not a value of the ${type} column "${holdout.column}" (${holds.map((v) => `"${v}"`).join(', ')})`);
    }
  }
  if (spec.kind === 'time-series') refuse('column', 'a time-series holdout is the newest examples (fraction or from): a holdout by column is for kind "cross-sectional"');
  return issues;
}

/** Where a holdout by column reads its values: the rows the examples were built from, and how. */
export interface HoldoutRows {
  frame: Frame;
  plan: FeaturePlan;
}

export interface Split {
  train: Examples;
  test: Examples;
}

/**
 * Splits time-ordered examples into the older training part and the newer holdout (or a random
 * share when `random`, or the rows a column marks, read from `rows`).
 */
export function splitHoldout(examples: Examples, holdout: HoldoutSpec, random = false, rows?: HoldoutRows): Split {
  if (random && holdout.fraction !== undefined) return checked(splitRandomly(examples, holdout.fraction, holdout.seed ?? 0), holdout);
  if (holdout.column !== undefined) return checked(splitByColumn(examples, holdout.column, holdout.value as string, rows), holdout);
  const n = examples.y.length;
  const cut = holdout.from === undefined ? n - Math.max(1, Math.round(n * (holdout.fraction as number))) : firstFrom(examples, holdout.from);
  if (cut < 2) {
    throw new Error(`too few examples (${n}) for a holdout of ${describeHoldout(holdout)}: ${cut} left to train, need at least 2`);
  }
  return splitAt(examples, cut);
}

/**
 * Splits examples again at a stored holdout's first time (or its random or column key, see
 * `randomKey` and `columnKey`): how an evaluation finds the holdout its candidate was scored on.
 */
export function splitFrom(examples: Examples, holdoutStart: string, rows?: HoldoutRows): Split {
  const random = parseRandomKey(holdoutStart);
  if (random) return splitRandomly(examples, random.fraction, random.seed);
  const marked = parseColumnKey(holdoutStart);
  if (marked) return splitByColumn(examples, marked.column, marked.value, rows);
  const index = examples.at.findIndex((at) => at >= holdoutStart);
  return splitAt(examples, index < 0 ? examples.y.length : index);
}

/**
 * A random split stores this key where a time split stores its first time, so the evaluation
 * (which only knows the key) draws the same rows. Starts with "~", after every ISO time as text.
 */
export function randomKey(fraction: number, seed: number): string {
  return `~random fraction=${fraction} seed=${seed}`;
}

function parseRandomKey(key: string): { fraction: number; seed: number } | undefined {
  const match = /^~random fraction=([0-9.e-]+) seed=(\d+)$/.exec(key);
  return match ? { fraction: Number(match[1]), seed: Number(match[2]) } : undefined;
}

/** A holdout by column stores this key, after every ISO time as text like the random one. */
export function columnKey(column: string, value: string): string {
  return `~column ${JSON.stringify([column, value])}`;
}

function parseColumnKey(key: string): { column: string; value: string } | undefined {
  if (!key.startsWith('~column ')) return undefined;
  const [column, value] = JSON.parse(key.slice('~column '.length)) as [string, string];
  return { column, value };
}

/** Each example is held out when its row holds `value` in `column` (a null holds none): the team's own split. */
function splitByColumn(examples: Examples, column: string, value: string, rows: HoldoutRows | undefined): Split {
  if (rows === undefined) throw new Error(`a holdout by column "${column}" needs the rows the examples were built from`);
  const frameRow = featureOrder(rows.frame, rows.plan);
  const { codes, dictionary } = rows.frame.codes(column);
  const held = examples.row.map((row) => {
    const code = codes[frameRow[row] as number] as number;
    return code !== NULL_CODE && String(dictionary[code]) === value;
  });
  const pick = (want: boolean) => pickExamples(examples, held.flatMap((h, i) => (h === want ? [i] : [])));
  return { train: pick(false), test: pick(true) };
}

/** Each example is held out when its row's draw falls below `fraction`: the same rows whatever the other examples are. */
function splitRandomly(examples: Examples, fraction: number, seed: number): Split {
  const held = examples.row.map((row) => drawOf(row, seed) < fraction);
  const pick = (want: boolean) => pickExamples(examples, held.flatMap((h, i) => (h === want ? [i] : [])));
  return { train: pick(false), test: pick(true) };
}

/** A uniform draw in [0, 1) from a row position and a seed (a 32-bit integer hash, splitmix-style). */
function drawOf(row: number, seed: number): number {
  let h = (Math.imul(row + 1, 0x9e3779b1) ^ Math.imul(seed + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

function checked(split: Split, holdout: HoldoutSpec): Split {
  if (split.train.y.length < 2 || split.test.y.length === 0) {
    const share = holdout.column === undefined ? `a random ${Math.round((holdout.fraction as number) * 100)} % (seed ${holdout.seed ?? 0})` : describeHoldout(holdout);
    throw new Error(`too few examples (${split.train.y.length + split.test.y.length}) for a holdout of ${share}: ${split.train.y.length} to train, ${split.test.y.length} held out`);
  }
  return split;
}

function pickExamples(examples: Examples, indices: number[]): Examples {
  return {
    featureNames: examples.featureNames,
    x: indices.map((i) => examples.x[i] as number[]),
    y: indices.map((i) => examples.y[i] as number),
    at: indices.map((i) => examples.at[i] as string),
    row: indices.map((i) => examples.row[i] as number),
  };
}

function splitAt(examples: Examples, cut: number): Split {
  return { train: sliceExamples(examples, 0, cut), test: sliceExamples(examples, cut) };
}

/** "the newest 20 %", "from 2019-01-01" or "the rows where split is test". */
export function describeHoldout(holdout: HoldoutSpec): string {
  if (holdout.column !== undefined) return `the rows where ${holdout.column} is ${holdout.value}`;
  return holdout.from === undefined ? `the newest ${Math.round((holdout.fraction as number) * 100)} %` : `from ${holdout.from}`;
}

export function sliceExamples(examples: Examples, from: number, to?: number): Examples {
  return {
    featureNames: examples.featureNames,
    x: examples.x.slice(from, to),
    y: examples.y.slice(from, to),
    at: examples.at.slice(from, to),
    row: examples.row.slice(from, to),
  };
}

/** Row times are canonical ISO 8601 (UTC, to the millisecond), so the date is put in that form to compare as text. */
function firstFrom(examples: Examples, from: string): number {
  const start = new Date(parseTimestamp(from) as number).toISOString();
  const index = examples.at.findIndex((at) => at >= start);
  if (index < 0) {
    throw new Error(`evaluation.holdout: no examples from ${from} on (the newest is at ${examples.at.at(-1) ?? 'none: there are no examples'})`);
  }
  return index;
}
