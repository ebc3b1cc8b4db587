import { z } from 'zod';

/** How a model's training-time norm is learned from its history; set per pipeline under `training.norm`. */
export const NormPolicy = z
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
  .strict();
export type NormPolicy = z.infer<typeof NormPolicy>;

export interface RuntimeNorm {
  /** Undefined: nothing is enforced yet. */
  normMs?: number;
  basis: 'learned' | 'explicit-max' | 'none';
  /** Successful runs the norm was learned from. */
  runs: number;
  explanation: string;
}

/** The norm in force for the next run, given recent successful durations (any order). */
export function computeNorm(durationsMs: number[], policy: NormPolicy): RuntimeNorm {
  const runs = durationsMs.length;
  const maxMs = policy.maxSeconds === undefined ? undefined : policy.maxSeconds * 1000;
  if (runs < policy.minRuns) {
    const waiting = `${runs} of ${policy.minRuns} runs needed to learn a norm`;
    return maxMs === undefined
      ? { basis: 'none', runs, explanation: `${waiting}; no maximum set, nothing enforced` }
      : { normMs: maxMs, basis: 'explicit-max', runs, explanation: `${waiting}; explicit maximum ${policy.maxSeconds} s applies` };
  }
  const p = percentile(durationsMs, policy.percentile);
  const learned = Math.max(policy.floorSeconds * 1000, p * policy.factor);
  const normMs = maxMs === undefined ? learned : Math.min(learned, maxMs);
  return {
    normMs,
    basis: 'learned',
    runs,
    explanation:
      `p${Math.round(policy.percentile * 100)} of ${runs} runs = ${seconds(p)} × ${policy.factor}` +
      `, floor ${policy.floorSeconds} s${maxMs === undefined ? '' : `, max ${policy.maxSeconds} s`} → ${seconds(normMs)}`,
  };
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
