import { z } from 'zod';
import { lazySchema } from '../lazy-schema';
import { Person } from '../people/person';

/**
 * A known event a person marks on a pipeline ("promotion campaign", "pandemic"). Every drift
 * report lists the annotations that overlap its window; `suppress_alerts` says the change is
 * expected (no notification), `retrain_now` asks the next run to train whatever the verdict.
 */
export const AnnotationEffect = lazySchema(() => z.enum(['none', 'suppress_alerts', 'retrain_now']));
export type AnnotationEffect = z.infer<typeof AnnotationEffect>;

/** A calendar date that exists: 2008-02-29 is one, 2007-02-29 is not (Date would roll it over to March). */
const CalendarDate = lazySchema(() =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((text) => !Number.isNaN(Date.parse(text)) && new Date(text).toISOString().startsWith(text)),
);

/** A date (midnight UTC) or a date-time with its offset, stored as UTC ISO 8601. */
const Moment = lazySchema(() =>
  z
    .union([CalendarDate, z.iso.datetime({ offset: true })], { message: 'must be an ISO date or date-time, e.g. 2008-01-01 or 2008-01-01T00:00:00Z' })
    .transform((text) => new Date(text).toISOString()),
);

/**
 * What a person gives: from the CLI, the dashboard, or the `annotate` Update of a running
 * modelPipeline. `by` is required (an annotation without an author explains nothing) and a key
 * it does not know is refused by name.
 */
export const AnnotationInput = lazySchema(() =>
  z
    .object({
      label: z.string().trim().min(1, { message: 'names the event' }).max(200),
      from: Moment,
      to: Moment,
      note: z.string().max(2000).default(''),
      effect: AnnotationEffect.default('none'),
      by: Person,
    })
    .strict()
    .refine((a) => a.to >= a.from, { path: ['to'], message: 'must not be before from' }),
);
export type AnnotationInput = z.input<typeof AnnotationInput>;
export type ParsedAnnotationInput = z.output<typeof AnnotationInput>;

export const Annotation = lazySchema(() =>
  z.object({
    id: z.number().int().positive(),
    pipeline: z.string(),
    label: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    note: z.string(),
    effect: AnnotationEffect,
    createdBy: z.string(),
    createdAt: z.string(),
  }),
);
export type Annotation = z.infer<typeof Annotation>;
