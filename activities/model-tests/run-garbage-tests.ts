import { featureNames } from '../../lib/model/features';
import type { ModelArtifact } from '../../lib/model/model-artifact';
import { inTargetUnits } from '../../lib/model/target-transform';
import { classifyOutcome, type ModelTestResult } from '../../lib/model-tests/classify';
import type { GarbageCase } from '../../lib/model-tests/garbage-cases';
import { prepareBatch } from '../../lib/serving/prepare-batch';
import type { ColumnSpec } from '../../lib/spec/pipeline-spec';
import { predictWithCommand } from '../training/command-trainer';
import { resultFromThread } from '../threads/result-from-thread';
import type { GarbageJob, GarbageMessage } from './garbage-thread';

const THREAD_ENTRY = new URL('./garbage-thread.ts', import.meta.url);

/** A predict call on a small batch that takes longer than this is a hang. */
export const CASE_TIMEOUT_MS = 10_000;

/** Runs every garbage case through the model's real predict path; a NaN, a crash or a hang fails. */
export function runGarbageTests(
  artifact: ModelArtifact,
  columns: Record<string, ColumnSpec>,
  cases: GarbageCase[],
  signal: AbortSignal,
): Promise<ModelTestResult[]> {
  return artifact.trainer.kind === 'command'
    ? runCommandCases(artifact, columns, cases, signal)
    : runThreadCases({ artifact, columns, cases }, signal);
}

async function runCommandCases(artifact: ModelArtifact, columns: Record<string, ColumnSpec>, cases: GarbageCase[], signal: AbortSignal) {
  const trainer = artifact.trainer as Extract<ModelArtifact['trainer'], { kind: 'command' }>;
  const results: ModelTestResult[] = [];
  for (const testCase of cases) {
    const timeout = AbortSignal.timeout(CASE_TIMEOUT_MS);
    try {
      const x = prepareBatch(artifact, columns, testCase.rows);
      const predictions = inTargetUnits(artifact.plan, await predictWithCommand(trainer, artifact.model, featureNames(artifact.plan), x, AbortSignal.any([signal, timeout])));
      results.push(classifyOutcome(testCase.name, { predictions }, classesOf(artifact)));
    } catch (error) {
      if (signal.aborted) throw error;
      results.push(
        timeout.aborted
          ? { name: testCase.name, behaviour: 'hang', passed: false, detail: `no answer within ${CASE_TIMEOUT_MS / 1000} s` }
          : classifyOutcome(testCase.name, { error: error as Error }),
      );
    }
  }
  return results;
}

/**
 * Runs the cases in a pooled thread, one after another. A case without an answer in time is a hang:
 * its thread is stopped (the pool replaces it) and the cases after it are not run.
 */
async function runThreadCases(job: GarbageJob, signal: AbortSignal): Promise<ModelTestResult[]> {
  if (job.cases.length === 0) return [];
  const results: ModelTestResult[] = new Array(job.cases.length);
  const hang = new AbortController();
  const hangAfter = new Error('a garbage case hung');
  let timer: NodeJS.Timeout | undefined;
  const onMessage = (message: GarbageMessage) => {
    const name = (job.cases[message.index] as GarbageCase).name;
    clearTimeout(timer);
    if (message.type === 'outcome') return (results[message.index] = classifyOutcome(name, message.outcome, classesOf(job.artifact)));
    timer = setTimeout(() => {
      results[message.index] = { name, behaviour: 'hang', passed: false, detail: `no answer within ${CASE_TIMEOUT_MS / 1000} s` };
      hang.abort(hangAfter);
    }, CASE_TIMEOUT_MS);
  };
  try {
    await resultFromThread<void, GarbageMessage>(THREAD_ENTRY, job, { signal: AbortSignal.any([signal, hang.signal]), what: 'garbage tests', onMessage });
  } catch (error) {
    if (error !== hangAfter) throw error;
    job.cases.forEach((c, i) => (results[i] ??= { name: c.name, behaviour: 'hang', passed: false, detail: 'not run: an earlier case hung' }));
  } finally {
    clearTimeout(timer);
  }
  return results;
}

/** How many classes a classifier's probability rows must have; undefined for a regressor. */
function classesOf(artifact: ModelArtifact): number | undefined {
  return artifact.plan.classes?.values.length;
}
