import { inTransaction, type DbClient, type Pool } from './pool';

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

/**
 * Writes the event to the outbox once; returns its id whether it was new or already there, and
 * whether this call created it (the event is logged then, once, however often delivery is tried).
 */
export async function enqueueNotification(pool: Pool, n: NewNotification): Promise<{ id: number; created: boolean }> {
  const result = await pool.query<{ id: string; created: boolean }>(
    `INSERT INTO notifications (dedupe_key, kind, severity, pipeline, title, body, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (dedupe_key) DO UPDATE SET dedupe_key = EXCLUDED.dedupe_key
     RETURNING id, (xmax = 0) AS created`,
    [n.dedupeKey, n.kind, n.severity, n.pipeline, n.title, n.body, JSON.stringify(n.details)],
  );
  const row = result.rows[0] as { id: string; created: boolean };
  return { id: Number(row.id), created: row.created };
}

export type DeliveryOutcome = { outcome: 'delivered' | 'delivered before' } | { outcome: 'failed'; error: Error };

/**
 * Sends one outbox entry at most once while it is locked: the row stays locked (FOR UPDATE) from
 * the check to the mark, so two deliverers (the run's own attempt and the delivery loop) never
 * both send it; the second waits and finds it delivered. A failed send is recorded (attempts,
 * last error) and reported, not thrown, so the record commits. One window remains: the endpoint
 * took the message and the connection died before the commit; the next attempt sends it again,
 * with the same dedupe key in the payload for a receiver that wants to drop the repeat.
 */
export async function deliverOnce(pool: Pool, id: number, send: (n: StoredNotification) => Promise<void>): Promise<DeliveryOutcome> {
  return inTransaction(pool, async (client) => {
    const notification = await lockNotification(client, id);
    if (notification.deliveredAt) return { outcome: 'delivered before' };
    try {
      await send(notification);
    } catch (error) {
      await client.query('UPDATE notifications SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [id, (error as Error).message]);
      return { outcome: 'failed', error: error as Error };
    }
    await client.query('UPDATE notifications SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [id]);
    return { outcome: 'delivered' };
  });
}

async function lockNotification(client: DbClient, id: number): Promise<StoredNotification> {
  const result = await client.query(
    `SELECT id, dedupe_key, kind, severity, pipeline, title, body, details, delivered_at FROM notifications WHERE id = $1 FOR UPDATE`,
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

/** The oldest undelivered entries first, through the partial index on undelivered rows. */
export async function undeliveredIds(pool: Pool, limit: number): Promise<number[]> {
  const result = await pool.query<{ id: string }>('SELECT id FROM notifications WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT $1', [limit]);
  return result.rows.map((row) => Number(row.id));
}

export async function countUndelivered(pool: Pool): Promise<number> {
  const result = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE delivered_at IS NULL');
  return result.rows[0]?.n ?? 0;
}
