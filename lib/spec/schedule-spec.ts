import { z } from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * "30m", "6h", "1d": how Driftline writes intervals in specs. At least a minute: each tick is a
 * whole pipeline run, and "0s" would start them back to back.
 */
export const Interval = lazySchema(() =>
  z
    .string()
    .regex(/^\d+\s*(s|m|h|d)$/, { message: 'must be a number and a unit: 30m, 6h, 1d', abort: true })
    .refine((every) => intervalMs(every) >= 60_000, { message: 'must be at least 1m' }),
);

/**
 * When a pipeline runs by itself: a cron expression or an interval, in a time zone. Applied as
 * a Temporal Schedule by `driftline schedule apply`; runs start with trigger "schedule".
 */
export const ScheduleSpec = lazySchema(() =>
  z
    .object({
      cron: z
        .string()
        .regex(/^(@\w+|(\S+\s+){4}\S+)$/, { message: 'five fields (minute hour day-of-month month day-of-week) or @daily, @hourly…' })
        .optional(),
      every: Interval.optional(),
      /** IANA name, e.g. Europe/Paris. */
      timezone: z.string().min(1).default('UTC'),
      /** What to do when the previous run is still going: skip (default), buffer one, or cancel it. */
      overlap: z.enum(['skip', 'buffer_one', 'cancel_other', 'allow_all']).default('skip'),
    })
    .strict()
    .refine((s) => (s.cron === undefined) !== (s.every === undefined), { message: 'give exactly one of cron or every' }),
);
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;

/** "6h" → milliseconds. */
export function intervalMs(every: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(every);
  if (!match) throw new Error(`not an interval: ${every}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
