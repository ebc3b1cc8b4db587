import { z } from 'zod';
import { formatZodError } from '../../lib/errors';
import { MAX_NAME_LENGTH, NO_NUL } from '../../workflows/pipeline-input';

/** A request the dashboard refuses, with the status and a message safe to show. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Validates one part of a request (params, query, body); a problem is a 400 naming the field. */
export function parseRequest<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new HttpError(400, `Bad request: ${formatZodError(result.error)}`);
  return result.data;
}

// Names in the database are free text (anything a spec or a person wrote), so they are only bounded
// here, and kept free of the one character PostgreSQL text cannot hold (`/models/%00`).
const Name = z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL);
const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const PageNumber = z.coerce.number().int().positive().max(100_000).default(1);

export const PageQuery = z.object({ page: PageNumber });
export const ModelQuery = z.object({ page: PageNumber, auditPage: PageNumber });
export const ModelParams = z.object({ model: Name });
export const VersionParams = z.object({ model: Name, version: Id });
export const PipelineParams = z.object({ pipeline: Name });
export const DriftReportParams = z.object({ pipeline: Name, id: Id });
export const SnapshotParams = z.object({ id: Id });
