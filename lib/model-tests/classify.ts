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

/** Refusing with a clear error, or predicting only finite numbers, passes; anything else fails. */
export function classifyOutcome(name: string, outcome: { predictions: unknown } | { error: { name: string; message: string } }): ModelTestResult {
  if ('error' in outcome) {
    const { error } = outcome;
    const crash = CRASHES.has(error.name) || error.message.trim() === '';
    return { name, behaviour: crash ? 'crash' : 'rejected', passed: !crash, detail: `${error.name}: ${error.message}` };
  }
  const predictions = outcome.predictions;
  if (!Array.isArray(predictions)) return { name, behaviour: 'crash', passed: false, detail: `predict returned ${typeof predictions}, not an array` };
  const bad = predictions.find((p) => typeof p !== 'number' || !Number.isFinite(p));
  if (bad !== undefined) return { name, behaviour: 'non-finite', passed: false, detail: `predicted ${String(bad)}` };
  return { name, behaviour: 'finite', passed: true, detail: `${predictions.length} finite predictions` };
}
