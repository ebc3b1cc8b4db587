import type { Annotation, ParsedAnnotationInput } from '../drift/annotation';
import type { DriftWindow } from '../drift/drift-check';
import type { Pool } from './pool';

const COLUMNS = 'id, pipeline, label, starts_at, ends_at, note, effect, created_by, created_at';

export async function insertAnnotation(pool: Pool, pipeline: string, a: ParsedAnnotationInput): Promise<Annotation> {
  const result = await pool.query(
    `INSERT INTO annotations (pipeline, label, starts_at, ends_at, note, effect, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [pipeline, a.label, a.from, a.to, a.note, a.effect, a.by],
  );
  return toAnnotation(result.rows[0]);
}

/**
 * The pipeline's annotations that overlap the window's data period, or that cover the moment of
 * the check: an event marked today ("retrain now") applies to today's run even when the data is old.
 */
export async function overlappingAnnotations(pool: Pool, pipeline: string, window: DriftWindow): Promise<Annotation[]> {
  const result = await pool.query(
    `SELECT ${COLUMNS} FROM annotations
     WHERE pipeline = $1
       AND ((starts_at <= $3::timestamptz AND ends_at >= $2::timestamptz) OR (starts_at <= $4::timestamptz AND ends_at >= $4::timestamptz))
     ORDER BY starts_at, id`,
    [pipeline, window.from, window.to, window.checkedAt],
  );
  return result.rows.map(toAnnotation);
}

function toAnnotation(row: Record<string, unknown>): Annotation {
  return {
    id: Number(row.id),
    pipeline: row.pipeline as string,
    label: row.label as string,
    startsAt: (row.starts_at as Date).toISOString(),
    endsAt: (row.ends_at as Date).toISOString(),
    note: row.note as string,
    effect: row.effect as Annotation['effect'],
    createdBy: row.created_by as string,
    createdAt: (row.created_at as Date).toISOString(),
  };
}
