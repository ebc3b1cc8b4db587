/** The experiment's three steps doing nothing (scripts/bench/experiment/floor-workflow.ts). */
export async function startExperiment(input: { cells: number }): Promise<{ cells: number[] }> {
  return { cells: Array.from({ length: input.cells }, (_, i) => i) };
}

export async function evaluateExperimentBatch(plan: { cells: number[] }): Promise<{ cellIndex: number; status: 'done' }[]> {
  return plan.cells.map((cellIndex) => ({ cellIndex, status: 'done' }));
}

export async function analyseExperimentResults(outcomes: { status: string }[]): Promise<{ done: number }> {
  return { done: outcomes.filter((o) => o.status === 'done').length };
}
