import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DriftlineError } from '../../lib/errors';
import type { Examples } from '../../lib/model/features';
import { allExamples, refitMessage, refitted, resultOf, type PlannedTraining, type Predictions, type TrainerRef, type TrainingResult } from '../../lib/model/model-artifact';
import { inTargetUnits, labelsForModel } from '../../lib/model/target-transform';
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
    // A classifier's labels in train.csv are class codes: classes.json names them, in code order.
    if (planned.plan.classes) await writeFile(path.join(dir, 'classes.json'), JSON.stringify(planned.plan.classes.values));
    // train.csv holds the labels as the model learns them; its predictions come back in the target's units.
    const forModel = (examples: Examples): Examples => ({ ...examples, y: labelsForModel(planned.plan, examples.y) });
    const model = await fitInDir(ref, forModel(planned.train), params, dir, hooks);
    hooks.onProgress(0.9, `scoring on ${test.y.length} holdout examples`);
    const predictions = inTargetUnits(planned.plan, await predictInDir(ref, model, test.featureNames, test.x, dir, hooks));
    const result = resultOf({ plan: planned.plan, trainer: ref, model }, planned, predictions);
    if (!planned.refit) return result;
    const all = allExamples(planned);
    hooks.onProgress(0.95, refitMessage(all));
    return { ...result, ...refitted(result, await fitInDir(ref, forModel(all), params, dir, hooks), all) };
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
export function predictWithCommand(ref: CommandRef, model: unknown, featureNames: string[], x: number[][], signal: AbortSignal): Promise<Predictions> {
  return withWorkDir((dir) => predictInDir(ref, model as CommandModel, featureNames, x, dir, { signal, onProgress: () => undefined }));
}

async function predictInDir(ref: CommandRef, model: CommandModel, featureNames: string[], x: number[][], dir: string, hooks: ThreadHooks): Promise<Predictions> {
  await writeFile(path.join(dir, 'model'), Buffer.from(model.data, 'base64'));
  await writeFile(path.join(dir, 'input.csv'), toCsv(featureNames, x));
  await runCommand(ref, 'predict', dir, hooks);
  const lines = (await readRequired(dir, 'predictions.csv')).toString('utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0] !== undefined && Number.isNaN(Number(lines[0].split(',')[0]))) lines.shift(); // an optional header line
  // One number per line from a regressor; a classifier's line holds each class's probability, comma-separated.
  return lines.some((line) => line.includes(',')) ? lines.map((line) => line.split(',').map(Number)) : lines.map(Number);
}

/**
 * Starts the trainer through `sh`, which leaves a watchdog in the trainer's process group and then
 * becomes the trainer (`exec`). The watchdog checks every second that the worker (the shell's
 * parent) and the trainer are alive; when either is gone it SIGKILLs the whole group, itself and
 * anything the trainer started included. Why a watchdog: Node cannot set PR_SET_PDEATHSIG, and
 * that signal would reach the trainer only, not its children, and fires when the spawning *thread*
 * ends; a group kill from a process that outlives the worker covers a `kill -9` of the worker and
 * of nothing else. Its stdio is /dev/null so the trainer's pipes close when the trainer ends.
 */
const WATCHED_TRAINER = `worker=$PPID
( while kill -0 "$worker" && kill -0 $$; do sleep 1; done; kill -9 0 ) </dev/null >/dev/null 2>&1 &
exec "$@"`;

/**
 * Runs the command in its own process group, tied to the worker, so cancelling — or the worker
 * dying — kills it and anything it started; when it ends, whatever it left running is killed too.
 * A non-zero exit is a broken trainer: non-retryable, with its last lines of stderr.
 */
function runCommand(ref: CommandRef, mode: 'train' | 'predict', dir: string, hooks: ThreadHooks): Promise<void> {
  const [program, ...args] = ref.command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', WATCHED_TRAINER, 'driftline-trainer', program, ...args, mode, dir], {
      cwd: ref.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...trainerEnvironment(ref.env ?? []), DRIFTLINE_MODE: mode, DRIFTLINE_WORKDIR: dir },
    });
    const stderr: string[] = [];
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is gone already.
      }
    };
    const kill = () => {
      killGroup();
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
      reject(error);
    });
    child.on('close', (code, signal) => {
      hooks.signal.removeEventListener('abort', kill);
      killGroup();
      if (code === 0) return resolve();
      // `exec` failing in the shell: the program does not exist or cannot run.
      if (code === 126 || code === 127) {
        return reject(new DriftlineError('InvalidInput', `model.trainer.command: cannot start "${program}"${stderr.length > 0 ? `: ${stderr.join('\n')}` : ''}`));
      }
      const tail = stderr.length > 0 ? `:\n${stderr.join('\n')}` : ' (no stderr)';
      reject(new DriftlineError('TrainingFailed', `trainer command ${mode} exited with ${signal ?? `code ${code}`}${tail}`));
    });
  });
}

/**
 * What a trainer inherits from the worker: the settings programs need to run (paths, locale, time
 * zone, Python and thread-count knobs), plus the names its spec declares (`model.trainer.env`).
 * Never the rest: the worker's environment holds the database password, the webhook token and the
 * dashboard token, and a trainer is someone else's code.
 */
const INHERITED_ENV = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|PYTHON\w*|VIRTUAL_ENV|CONDA_PREFIX|(OMP|MKL|OPENBLAS|NUMEXPR)_NUM_THREADS|CUDA_VISIBLE_DEVICES|LD_LIBRARY_PATH|JAVA_HOME|R_LIBS\w*)$/;

export function trainerEnvironment(declared: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && (INHERITED_ENV.test(entry[0]) || declared.includes(entry[0]))),
  );
}

/**
 * Work folders live under <tmp>/driftline-trainers/<worker pid>-…, so a worker that was killed
 * before its `finally` ran (train.csv holds the pipeline's data) is recognised by the next worker
 * on the machine, whose start-up removes them: reapAbandonedWorkDirs.
 */
const WORK_ROOT = () => path.join(os.tmpdir(), 'driftline-trainers');

async function withWorkDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(WORK_ROOT(), { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(WORK_ROOT(), `${process.pid}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes the work folders of workers that are no longer running; returns how many. */
export async function reapAbandonedWorkDirs(): Promise<number> {
  const names = await readdir(WORK_ROOT()).catch(() => [] as string[]);
  const abandoned = names.filter((name) => !isRunning(Number(name.split('-')[0])));
  await Promise.all(abandoned.map((name) => rm(path.join(WORK_ROOT(), name), { recursive: true, force: true })));
  return abandoned.length;
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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
