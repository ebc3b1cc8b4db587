import { z } from 'zod';
import { RowFilters } from './row-filter';

/** How the bytes of a file or URL source are laid out. */
const FileFormat = {
  /** `csv` has a header line; `jsonl` is one JSON object per line, keyed by column name; `json` is one array of such objects. */
  format: z.enum(['csv', 'jsonl', 'json']).default('csv'),
  /** The CSV field separator. */
  delimiter: z.string().length(1).refine((d) => !['"', '\n', '\r'].includes(d), { message: 'cannot be a quote or a line break' }).default(','),
};

export type FileFormat = z.infer<typeof FileFormat.format>;

/** Which rows of any source are kept (lib/data/row-filter.ts): the others are counted, not stored. */
const Filtered = {
  where: RowFilters.optional(),
};

/** Where a pipeline's data comes from. */
export const DataSource = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    /** Absolute, or relative to the spec file's folder. */
    path: z.string().min(1),
    ...FileFormat,
    ...Filtered,
  }).strict(),
  z.object({
    kind: z.literal('package-file'),
    /** An installed npm package that ships data files (read from disk, not imported). */
    package: z.string().min(1),
    path: z.string().min(1),
    ...FileFormat,
    ...Filtered,
  }).strict(),
  z.object({
    kind: z.literal('url'),
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    ...FileFormat,
    ...Filtered,
  }).strict(),
  z
    .object({
      kind: z.literal('postgres'),
      /** A SELECT whose result columns are named like the declared columns … */
      query: z.string().min(1).optional(),
      /** … or a table (optionally schema-qualified) from which the declared columns are read. */
      table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, { message: 'must be a table name, e.g. sales or public.sales' }).optional(),
      /** The environment variable holding the source database's URL; Driftline's own database when absent. */
      databaseUrlEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'must name an environment variable' }).optional(),
      ...Filtered,
    })
    .strict()
    .refine((s) => (s.query === undefined) !== (s.table === undefined), { message: 'give exactly one of query and table' }),
]);
export type DataSource = z.infer<typeof DataSource>;
