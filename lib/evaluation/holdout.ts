import { z } from 'zod';
import { parseTimestamp } from '../data/timestamp';
import type { Examples } from '../model/features';

/**
 * Which examples are held out for scoring: the newest share of them (`{ "fraction": 0.2 }`), or
 * every example from a date on (`{ "from": "2019-01-01" }`, needs a time column). Either way the
 * split is by time, so no future leaks into training.
 */
export const HoldoutSpec = z
  .object({
    fraction: z.number().gt(0).lt(1).optional(),
    from: z
      .string()
      .refine((text) => parseTimestamp(text) !== undefined, { message: 'an ISO date such as 2019-01-01' })
      .optional(),
  })
  .strict()
  .refine((h) => (h.fraction === undefined) !== (h.from === undefined), {
    message: 'give either fraction (e.g. 0.2) or from (an ISO date such as 2019-01-01)',
  });
export type HoldoutSpec = z.infer<typeof HoldoutSpec>;

export interface Split {
  train: Examples;
  test: Examples;
}

/** Splits time-ordered examples into the older training part and the newer holdout. */
export function splitHoldout(examples: Examples, holdout: HoldoutSpec): Split {
  const n = examples.y.length;
  const cut = holdout.from === undefined ? n - Math.max(1, Math.round(n * (holdout.fraction as number))) : firstFrom(examples, holdout.from);
  if (cut < 2) {
    throw new Error(`too few examples (${n}) for a holdout of ${describeHoldout(holdout)}: ${cut} left to train, need at least 2`);
  }
  return splitAt(examples, cut);
}

/** Splits examples again at a stored holdout's first time: how an evaluation finds the holdout its candidate was scored on. */
export function splitFrom(examples: Examples, holdoutStart: string): Split {
  const index = examples.at.findIndex((at) => at >= holdoutStart);
  return splitAt(examples, index < 0 ? examples.y.length : index);
}

function splitAt(examples: Examples, cut: number): Split {
  return { train: sliceExamples(examples, 0, cut), test: sliceExamples(examples, cut) };
}

/** "the newest 20 %" or "from 2019-01-01". */
export function describeHoldout(holdout: HoldoutSpec): string {
  return holdout.from === undefined ? `the newest ${Math.round((holdout.fraction as number) * 100)} %` : `from ${holdout.from}`;
}

export function sliceExamples(examples: Examples, from: number, to?: number): Examples {
  return {
    featureNames: examples.featureNames,
    x: examples.x.slice(from, to),
    y: examples.y.slice(from, to),
    at: examples.at.slice(from, to),
    row: examples.row.slice(from, to),
  };
}

/** Row times are canonical ISO 8601 (UTC, to the millisecond), so the date is put in that form to compare as text. */
function firstFrom(examples: Examples, from: string): number {
  const start = new Date(parseTimestamp(from) as number).toISOString();
  const index = examples.at.findIndex((at) => at >= start);
  if (index < 0) {
    throw new Error(`evaluation.holdout: no examples from ${from} on (the newest is at ${examples.at.at(-1) ?? 'none: there are no examples'})`);
  }
  return index;
}
