import { z } from 'zod';
import { lazySchema } from '../lazy-schema';

/** How a model's training-time norm is learned from its history; set per pipeline under `training.norm`. */
export const NormPolicy = lazySchema(() =>
  z
    .object({
      /** The percentile of past successful durations the norm starts from. */
      percentile: z.number().gt(0).max(1).default(0.95),
      /** Head-room over that percentile. */
      factor: z.number().min(1).default(1.5),
      /** The norm is never below this, so a model that usually trains in 50 ms is not cancelled at 80 ms. */
      floorSeconds: z.number().nonnegative().default(10),
      /** Successful runs needed before the learned norm is enforced. */
      minRuns: z.number().int().min(1).default(5),
      /** An explicit ceiling: enforced from the first run, and caps the learned norm. */
      maxSeconds: z.number().positive().optional(),
      /** How many recent successful runs the norm learns from. */
      window: z.number().int().min(1).default(50),
    })
    .strict(),
);
export type NormPolicy = z.infer<typeof NormPolicy>;

/** One successful run as the norm learns from it. */
export interface NormSample {
  /** Wall time of the training, from the attempt's start of compute. */
  durationMs: number;
  /** Rows it learned from (absent for runs recorded before rows were). */
  rows?: number;
  /** Compute jobs per core sharing the worker over the run, time-weighted (≥ 1; absent: quiet). */
  contention?: number;
}

export interface RuntimeNorm {
  /** For a quiet run of `perRows` rows; undefined: nothing is enforced yet. See normForRun. */
  normMs?: number;
  basis: 'learned' | 'explicit-max' | 'none';
  /** Successful runs the norm was learned from. */
  runs: number;
  explanation: string;
  /** Learned norms: the largest run learned from; a bigger run's norm grows in proportion. */
  perRows?: number;
  /** Learned norms: the percentile × factor before the floor and maximum, which a run's size and load scale. */
  learnedMs?: number;
  floorMs?: number;
  maxMs?: number;
}

/** The norm one run is held to, from its size and the load it trains under. */
export interface RunNorm {
  normMs: number;
  explanation: string;
}

/**
 * The norm in force for the next run, given recent successful runs (any order). Each run counts
 * as its quiet equivalent (wall time divided by its contention) at the largest size learned from
 * (a smaller run's time scaled up in proportion to rows), so neither load nor input size in the
 * history makes the norm a measure of the machine.
 */
export function computeNorm(samples: NormSample[], policy: NormPolicy): RuntimeNorm {
  const runs = samples.length;
  const maxMs = policy.maxSeconds === undefined ? undefined : policy.maxSeconds * 1000;
  if (runs < policy.minRuns) {
    const waiting = `${runs} of ${policy.minRuns} runs needed to learn a norm`;
    return maxMs === undefined
      ? { basis: 'none', runs, explanation: `${waiting}; no maximum set, nothing enforced` }
      : { normMs: maxMs, basis: 'explicit-max', runs, explanation: `${waiting}; explicit maximum ${policy.maxSeconds} s applies` };
  }
  const sized = samples.filter((s) => s.rows !== undefined && s.rows > 0).map((s) => s.rows as number);
  const perRows = sized.length > 0 ? Math.max(...sized) : undefined;
  const quiet = samples.map((s) => (s.durationMs / Math.max(1, s.contention ?? 1)) * (perRows && s.rows ? perRows / s.rows : 1));
  const p = percentile(quiet, policy.percentile);
  const floorMs = policy.floorSeconds * 1000;
  const learnedMs = p * policy.factor;
  const normMs = clamp(learnedMs, floorMs, maxMs);
  return {
    normMs,
    basis: 'learned',
    runs,
    perRows,
    learnedMs,
    floorMs,
    maxMs,
    explanation:
      `p${Math.round(policy.percentile * 100)} of ${runs} quiet runs${perRows ? ` at ${perRows} rows` : ''} = ${seconds(p)} × ${policy.factor}` +
      `, floor ${policy.floorSeconds} s${maxMs === undefined ? '' : `, max ${policy.maxSeconds} s`} → ${seconds(normMs)}`,
  };
}

/**
 * The norm a run of `rows` rows is held to while `contention` compute jobs per core share its worker
 * (the most seen so far): a learned norm grows with both; an explicit maximum is a hard ceiling.
 * Undefined: nothing is enforced.
 */
export function normForRun(norm: RuntimeNorm, rows: number, contention: number): RunNorm | undefined {
  if (norm.normMs === undefined) return undefined;
  if (norm.basis !== 'learned' || norm.learnedMs === undefined) return { normMs: norm.normMs, explanation: norm.explanation };
  const size = norm.perRows && rows > norm.perRows ? rows / norm.perRows : 1;
  const load = Math.max(1, contention);
  const normMs = Math.round(clamp(norm.learnedMs * size * load, norm.floorMs ?? 0, norm.maxMs));
  const scaled = [size > 1 ? `× ${size.toFixed(2)} for ${rows} rows` : '', load > 1 ? `× ${load.toFixed(2)} for ${load.toFixed(2)} compute jobs per core` : '']
    .filter(Boolean)
    .join(' ');
  return { normMs, explanation: scaled ? `${norm.explanation}; this run ${scaled} → ${seconds(normMs)}` : norm.explanation };
}

function clamp(ms: number, floorMs: number, maxMs: number | undefined): number {
  const floored = Math.max(floorMs, ms);
  return maxMs === undefined ? floored : Math.min(floored, maxMs);
}

/** Linear interpolation between closest ranks (NumPy's default method). */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (rank - low);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
