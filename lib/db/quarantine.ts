import type { Pool } from './pool';

/** A kind of quarantine reason and how many of a snapshot's rows it holds back. */
export interface QuarantineReason {
  reason: string;
  rows: number;
}

/**
 * Reasons are grouped by kind, not by text: `column "price": "abc" is not a valid numeric` and
 * `… "n/a" is not …` are one kind (the value replaced by "a value"), and a JSON parser's message
 * after "is not valid JSON" is dropped. Applied in order, in the database, over every quarantined row.
 */
const REASON_KINDS: [pattern: string, replacement: string][] = [
  ['^(column "[^"]*"): "(?:[^"\\\\]|\\\\.)*" (is .*)$', '\\1: a value \\2'],
  ['^(the (?:line|element) is not valid JSON) \\(.*\\)$', '\\1'],
];

/** The most common kinds of reason a snapshot's rows were quarantined for, with their counts, most first. */
export async function quarantineReasons(pool: Pool, snapshotId: number, limit = 3): Promise<{ reasons: QuarantineReason[]; kinds: number }> {
  let kind = 'reason';
  const params: unknown[] = [snapshotId];
  for (const [pattern, replacement] of REASON_KINDS) {
    params.push(pattern, replacement);
    kind = `regexp_replace(${kind}, $${params.length - 1}, $${params.length})`;
  }
  const result = await pool.query<{ reason: string; rows: string; kinds: string }>(
    `SELECT reason, rows, count(*) OVER () AS kinds FROM (
       SELECT ${kind} AS reason, count(*) AS rows FROM quarantined_rows WHERE snapshot_id = $1 GROUP BY 1
     ) AS grouped ORDER BY rows DESC, reason LIMIT $${params.length + 1}`,
    [...params, limit],
  );
  return {
    reasons: result.rows.map((row) => ({ reason: row.reason, rows: Number(row.rows) })),
    kinds: Number(result.rows[0]?.kinds ?? 0),
  };
}

/** "92 rows: column "Weight_lbs" is missing; 4 rows: …; and 2 other kinds of reason". */
export function describeQuarantineReasons({ reasons, kinds }: { reasons: QuarantineReason[]; kinds: number }): string {
  const listed = reasons.map(({ reason, rows }) => `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}: ${reason}`);
  const others = kinds - reasons.length;
  if (others > 0) listed.push(`and ${others} other kind${others === 1 ? '' : 's'} of reason`);
  return listed.join('; ');
}
