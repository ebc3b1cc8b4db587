import type { ModelArtifact } from '../../lib/model/model-artifact';
import { inTargetUnitsTrainer } from '../../lib/model/target-transform';
import type { GarbageCase } from '../../lib/model-tests/garbage-cases';
import { prepareBatch } from '../../lib/serving/prepare-batch';
import type { ColumnSpec } from '../../lib/spec/pipeline-spec';
import type { SendFromJob } from '../threads/thread-job';
import { loadInProcessTrainer } from '../training/module-trainer';

export interface GarbageJob {
  artifact: ModelArtifact;
  columns: Record<string, ColumnSpec>;
  cases: GarbageCase[];
}

export type GarbageMessage =
  | { type: 'start'; index: number }
  | { type: 'outcome'; index: number; outcome: { predictions: unknown } | { error: { name: string; message: string } } };

/** Runs each garbage case through the predict path in a pooled thread, so a hang can be stopped from outside. */
export async function run({ artifact, columns, cases }: GarbageJob, send: SendFromJob<GarbageMessage>): Promise<void> {
  if (artifact.trainer.kind === 'command') throw new Error('command trainers are tested from the activity');
  // Garbage tests judge what leaves the model: predictions in the target's units.
  const trainer = inTargetUnitsTrainer(await loadInProcessTrainer(artifact.trainer), artifact.plan);
  for (const [index, testCase] of cases.entries()) {
    send({ type: 'start', index });
    let outcome: Extract<GarbageMessage, { type: 'outcome' }>['outcome'];
    try {
      outcome = { predictions: await trainer.predict(artifact.model, prepareBatch(artifact, columns, testCase.rows)) };
    } catch (error) {
      const { name, message } = error as Error;
      outcome = { error: { name: String(name), message: String(message) } };
    }
    send({ type: 'outcome', index, outcome });
  }
}
