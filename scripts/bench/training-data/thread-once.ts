// Runs the training thread's job (activities/training/train-thread.ts `run`) once, in a process of
// its own so the peak RSS it reports is the job's alone, and times its messages: the first
// heartbeat-bearing progress, the data loaded, the features built and drift methods chosen (the
// trainer's first progress) and the end. Prints one JSON line. Used by scripts/bench/training-data.ts.
import { run } from '../../../activities/training/train-thread';
import type { TrainingMessage } from '../../../activities/training/thread-protocol';
import { PipelineSpec } from '../../../lib/spec/pipeline-spec';

const [databaseUrl, snapshotId, specJson] = process.argv.slice(2) as [string, string, string];
const spec = PipelineSpec.parse(JSON.parse(specJson));
const started = performance.now();
const at: Record<string, number> = {};
const mark = (name: string) => (at[name] ??= performance.now() - started);
const send = (message: TrainingMessage) => {
  if (message.type === 'loaded') mark('loadedMs');
  if (message.type !== 'progress') return;
  if (message.message.startsWith('loading data:')) mark('firstLoadProgressMs');
  mark('firstProgressMs');
  if (message.fraction >= 0.2) mark('featuresBuiltMs');
};
const result = await run({ databaseUrl, snapshotId: Number(snapshotId), spec, trainer: { kind: 'built-in', name: 'ridge' }, params: {} }, send);
mark('doneMs');
console.log(JSON.stringify({ ...at, examples: result.training.trainExamples + result.training.testExamples, rmse: result.training.metrics.rmse, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
