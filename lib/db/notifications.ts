import type { Pool } from './pool';

export type Severity = 'info' | 'warning' | 'critical';

export interface NewNotification {
  /** One event, one message: a second enqueue with the same key is a no-op. */
  dedupeKey: string;
  kind: string;
  severity: Severity;
  pipeline: string;
  title: string;
  body: string;
  details: Record<string, unknown>;
}

export interface StoredNotification extends NewNotification {
  id: number;
  deliveredAt: Date | null;
}

/** Writes the event to the outbox once; returns its id whether it was new or already there. */
export async function enqueueNotification(pool: Pool, n: NewNotification): Promise<number> {
  const result = await pool.query<{ id: string }>(
    `INSERT INTO notifications (dedupe_key, kind, severity, pipeline, title, body, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (dedupe_key) DO UPDATE SET dedupe_key = EXCLUDED.dedupe_key
     RETURNING id`,
    [n.dedupeKey, n.kind, n.severity, n.pipeline, n.title, n.body, JSON.stringify(n.details)],
  );
  return Number((result.rows[0] as { id: string }).id);
}

export async function getNotification(pool: Pool, id: number): Promise<StoredNotification> {
  const result = await pool.query(
    `SELECT id, dedupe_key, kind, severity, pipeline, title, body, details, delivered_at FROM notifications WHERE id = $1`,
    [id],
  );
  const row = result.rows[0];
  if (!row) throw new Error(`notification ${id} does not exist`);
  return {
    id: Number(row.id),
    dedupeKey: row.dedupe_key,
    kind: row.kind,
    severity: row.severity,
    pipeline: row.pipeline,
    title: row.title,
    body: row.body,
    details: row.details,
    deliveredAt: row.delivered_at,
  };
}

export async function markDelivered(pool: Pool, id: number): Promise<void> {
  await pool.query('UPDATE notifications SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [id]);
}

export async function markAttemptFailed(pool: Pool, id: number, error: string): Promise<void> {
  await pool.query('UPDATE notifications SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [id, error]);
}
