import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DriftlineError } from '../../lib/errors';
import type { Examples } from '../../lib/model/features';
import { allExamples, refitMessage, refitted, resultOf, type PlannedTraining, type TrainerRef, type TrainingResult } from '../../lib/model/model-artifact';
import type { ThreadHooks } from './run-in-thread';

type CommandRef = Extract<TrainerRef, { kind: 'command' }>;

/** What a command trainer's model file becomes inside the artifact. */
interface CommandModel {
  encoding: 'base64';
  data: string;
  /** The trainer's own metrics.json, if it wrote one. */
  reportedMetrics?: unknown;
}

/**
 * Trains with an external command, in any language, through files (see README, "Custom trainers"):
 *   `<command…> train <dir>`   reads train.csv + params.json, writes model (+ metrics.json)
 *   `<command…> predict <dir>` reads model + input.csv, writes predictions.csv
 * Progress lines on stdout ("progress 0.4 fitting") become heartbeats. The command trains twice
 * when the version is refitted: on the older examples to be scored, then on all of them.
 */
export async function trainWithCommand(
  ref: CommandRef,
  planned: PlannedTraining,
  params: Record<string, unknown>,
  hooks: ThreadHooks,
): Promise<TrainingResult> {
  return withWorkDir(async (dir) => {
    const { test } = planned;
    const model = await fitInDir(ref, planned.train, params, dir, hooks);
    hooks.onProgress(0.9, `scoring on ${test.y.length} holdout examples`);
    const predictions = await predictInDir(ref, model, test.featureNames, test.x, dir, hooks);
    const result = resultOf({ plan: planned.plan, trainer: ref, model }, planned, predictions);
    if (!planned.refit) return result;
    const all = allExamples(planned);
    hooks.onProgress(0.95, refitMessage(all));
    return { ...result, ...refitted(result, await fitInDir(ref, all, params, dir, hooks), all) };
  });
}

/** Runs the command's train mode on these examples and packs the model file it writes. */
async function fitInDir(ref: CommandRef, examples: Examples, params: Record<string, unknown>, dir: string, hooks: ThreadHooks): Promise<CommandModel> {
  await writeFile(path.join(dir, 'train.csv'), toCsv([...examples.featureNames, 'label'], examples.x.map((row, i) => [...row, examples.y[i] as number])));
  await writeFile(path.join(dir, 'params.json'), JSON.stringify(params));
  // The first fit's files (and the model predict wrote back) must not pass for the refit's.
  await rm(path.join(dir, 'model'), { force: true });
  await rm(path.join(dir, 'metrics.json'), { force: true });
  await runCommand(ref, 'train', dir, hooks);
  return {
    encoding: 'base64',
    data: (await readRequired(dir, 'model')).toString('base64'),
    reportedMetrics: await readFile(path.join(dir, 'metrics.json'), 'utf8').then(JSON.parse, () => undefined),
  };
}

/** Predicts with a stored command-trained model. */
export function predictWithCommand(ref: CommandRef, model: unknown, featureNames: string[], x: number[][], signal: AbortSignal): Promise<number[]> {
  return withWorkDir((dir) => predictInDir(ref, model as CommandModel, featureNames, x, dir, { signal, onProgress: () => undefined }));
}

async function predictInDir(ref: CommandRef, model: CommandModel, featureNames: string[], x: number[][], dir: string, hooks: ThreadHooks): Promise<number[]> {
  await writeFile(path.join(dir, 'model'), Buffer.from(model.data, 'base64'));
  await writeFile(path.join(dir, 'input.csv'), toCsv(featureNames, x));
  await runCommand(ref, 'predict', dir, hooks);
  const lines = (await readRequired(dir, 'predictions.csv')).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== undefined && Number.isNaN(Number(lines[0]))) lines.shift(); // an optional header line
  return lines.map(Number);
}

/**
 * Runs the command in its own process group, so cancelling kills it and anything it started.
 * A non-zero exit is a broken trainer: non-retryable, with its last lines of stderr.
 */
function runCommand(ref: CommandRef, mode: 'train' | 'predict', dir: string, hooks: ThreadHooks): Promise<void> {
  const [program, ...args] = ref.command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args, mode, dir], {
      cwd: ref.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DRIFTLINE_MODE: mode, DRIFTLINE_WORKDIR: dir },
    });
    const stderr: string[] = [];
    const kill = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      reject(hooks.signal.reason ?? new Error('training aborted'));
    };
    if (hooks.signal.aborted) return kill();
    hooks.signal.addEventListener('abort', kill, { once: true });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^progress\s+([\d.]+)\s*(.*)$/.exec(line);
      if (match) hooks.onProgress(Math.min(1, Number(match[1])), match[2] || mode);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr.push(line);
      if (stderr.length > 10) stderr.shift();
    });
    child.on('error', (error) => {
      hooks.signal.removeEventListener('abort', kill);
      reject(new DriftlineError('InvalidInput', `model.trainer.command: cannot start "${program}": ${error.message}`));
    });
    child.on('close', (code, signal) => {
      hooks.signal.removeEventListener('abort', kill);
      if (code === 0) return resolve();
      const tail = stderr.length > 0 ? `:\n${stderr.join('\n')}` : ' (no stderr)';
      reject(new DriftlineError('TrainingFailed', `trainer command ${mode} exited with ${signal ?? `code ${code}`}${tail}`));
    });
  });
}

async function withWorkDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'driftline-train-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readRequired(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(path.join(dir, name));
  } catch {
    throw new DriftlineError('TrainingFailed', `trainer command did not write ${name}`);
  }
}

function toCsv(header: string[], rows: number[][]): string {
  return `${header.join(',')}\n${rows.map((row) => row.join(',')).join('\n')}\n`;
}
