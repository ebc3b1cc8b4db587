import { NULL_CODE } from '../data/columns/column-table';
import type { Frame } from '../data/columns/frame';
import type { ColumnType } from '../spec/pipeline-spec';
import type { FeaturePlan } from './features';

/**
 * A classification target's classes, learned from the training rows and stored in the plan:
 * labels read from a categorical or boolean column's dictionary, or integer codes declared
 * classes. A label's class code is its position in `values` (sorted, so the order is stable).
 */
export interface TargetClasses {
  of: 'labels' | 'integers';
  values: string[];
}

export function learnClasses(frame: Frame, target: string, type: ColumnType): TargetClasses {
  if (type === 'integer' || type === 'numeric') {
    const seen = new Set<number>();
    for (const v of frame.numbers(target)) if (Number.isFinite(v)) seen.add(v);
    return { of: 'integers', values: [...seen].sort((a, b) => a - b).map(String) };
  }
  const { codes, dictionary } = frame.codes(target);
  const seen = new Set<string>();
  for (const code of codes) if (code !== NULL_CODE) seen.add(String(dictionary[code]));
  return { of: 'labels', values: [...seen].sort() };
}

/**
 * The target as numbers: its values for a regressor; for a classifier each row's class code,
 * NaN where the target is missing or a class the training rows never had (no label to learn from).
 */
export function targetNumbers(frame: Frame, plan: Pick<FeaturePlan, 'target' | 'classes'>): Float64Array {
  const { classes } = plan;
  if (classes === undefined) return frame.numbers(plan.target);
  const codeOf = new Map(classes.values.map((value, code) => [value, code]));
  if (classes.of === 'integers') return frame.numbers(plan.target).map((v) => codeOf.get(String(v)) ?? Number.NaN);
  const { codes, dictionary } = frame.codes(plan.target);
  const classOfCode = dictionary.map((value) => codeOf.get(String(value)) ?? Number.NaN);
  return Float64Array.from(codes, (code) => (code === NULL_CODE ? Number.NaN : (classOfCode[code] as number)));
}
