import { probabilityProblem } from '../model/model-artifact';

/** How the predict path behaved on one garbage batch. */
export type Behaviour = 'rejected' | 'finite' | 'non-finite' | 'crash' | 'hang';

export interface ModelTestResult {
  name: string;
  behaviour: Behaviour;
  passed: boolean;
  detail: string;
}

/** Errors that signal a bug in the predict path, not a deliberate refusal. */
const CRASHES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/**
 * Refusing with a clear error, or predicting only finite numbers — for a classifier of `classes`
 * classes, rows of probabilities in [0, 1] summing to 1 — passes; anything else fails.
 */
export function classifyOutcome(name: string, outcome: { predictions: unknown } | { error: { name: string; message: string } }, classes?: number): ModelTestResult {
  if ('error' in outcome) {
    const { error } = outcome;
    const crash = CRASHES.has(error.name) || error.message.trim() === '';
    return { name, behaviour: crash ? 'crash' : 'rejected', passed: !crash, detail: `${error.name}: ${error.message}` };
  }
  const predictions = outcome.predictions;
  if (!Array.isArray(predictions)) return { name, behaviour: 'crash', passed: false, detail: `predict returned ${typeof predictions}, not an array` };
  if (classes !== undefined) {
    const problems = predictions.map((row: unknown) => probabilityProblem(row, classes));
    const bad = problems.findIndex((problem) => problem !== undefined);
    if (bad >= 0) return { name, behaviour: 'non-finite', passed: false, detail: `row ${bad}: ${problems[bad] as string}` };
    return { name, behaviour: 'finite', passed: true, detail: `${predictions.length} rows of ${classes} class probabilities, each summing to 1` };
  }
  const bad = predictions.find((p) => typeof p !== 'number' || !Number.isFinite(p));
  if (bad !== undefined) return { name, behaviour: 'non-finite', passed: false, detail: `predicted ${String(bad)}` };
  return { name, behaviour: 'finite', passed: true, detail: `${predictions.length} finite predictions` };
}
