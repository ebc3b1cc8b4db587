import type { SnapshotProfile } from '../data/profile/column-profile';
import type { Row } from '../data/typed-row';
import type { DatasetChecks, Severity } from './checks-spec';
import type { CheckResult } from './validation-report';

/** What the checks look at: a stored snapshot's counts and profile, and the repeated keys if asked for. */
export interface CheckedSnapshot {
  rowsRead: number;
  rowCount: number;
  quarantinedCount: number;
  profile: SnapshotProfile;
  duplicates?: { keys: number; rows: number; examples: Row[] };
}

export interface CheckContext {
  checks: DatasetChecks;
  keyColumns: string[];
  timeColumn?: string;
  /** When the run validates; freshness is measured against it. */
  now: Date;
}

const DAY_MS = 86_400_000;

/** Runs every declared dataset check on a snapshot: pure, so each check is testable on its own. */
export function runChecks(snapshot: CheckedSnapshot, context: CheckContext): CheckResult[] {
  const { checks } = context;
  const results = [rowCount(snapshot, checks.rowCount)];
  if (checks.quarantinedShare) results.push(quarantinedShare(snapshot, checks.quarantinedShare));
  for (const [column, limit] of Object.entries(checks.nullFraction)) results.push(nullFraction(snapshot, column, limit));
  if (checks.duplicateKeys) results.push(duplicateKeys(snapshot, context.keyColumns, checks.duplicateKeys.severity));
  if (checks.freshness && context.timeColumn !== undefined) results.push(freshness(snapshot, context.timeColumn, checks.freshness, context.now));
  return results;
}

function result(check: CheckResult['check'], severity: Severity, passed: boolean, expected: string, observed: string, column?: string): CheckResult {
  const outcome = passed ? 'pass' : severity;
  return column === undefined ? { check, severity, outcome, expected, observed } : { check, column, severity, outcome, expected, observed };
}

function rowCount(snapshot: CheckedSnapshot, limit: DatasetChecks['rowCount']): CheckResult {
  const n = snapshot.rowCount;
  const passed = n >= limit.min && (limit.max === undefined || n <= limit.max);
  const expected = limit.max === undefined ? `at least ${count(limit.min)} accepted rows` : `${count(limit.min)} to ${count(limit.max)} accepted rows`;
  return result('rowCount', limit.severity, passed, expected, `${count(n)} accepted (${count(snapshot.rowsRead)} read)`);
}

function quarantinedShare(snapshot: CheckedSnapshot, limit: { max: number; severity: Severity }): CheckResult {
  const share = snapshot.rowsRead === 0 ? 0 : snapshot.quarantinedCount / snapshot.rowsRead;
  return result('quarantinedShare', limit.severity, share <= limit.max, `at most ${percent(limit.max)} of rows quarantined`,
    `${percent(share)} (${count(snapshot.quarantinedCount)} of ${count(snapshot.rowsRead)} rows)`);
}

function nullFraction(snapshot: CheckedSnapshot, column: string, limit: { max: number; severity: Severity }): CheckResult {
  const profile = snapshot.profile[column];
  const rows = profile ? profile.count + profile.nulls : 0;
  const nulls = profile?.nulls ?? 0;
  const share = rows === 0 ? 0 : nulls / rows;
  return result('nullFraction', limit.severity, share <= limit.max, `at most ${percent(limit.max)} nulls`,
    `${percent(share)} (${count(nulls)} of ${count(rows)} rows)`, column);
}

function duplicateKeys(snapshot: CheckedSnapshot, keyColumns: string[], severity: Severity): CheckResult {
  const found = snapshot.duplicates ?? { keys: 0, rows: 0, examples: [] };
  const examples = found.examples.map((key) => Object.entries(key).map(([k, v]) => `${k}=${String(v)}`).join(' ')).join('; ');
  const observed = found.keys === 0
    ? 'every key is unique'
    : `${count(found.keys)} key value(s) repeated across ${count(found.rows)} rows, e.g. ${examples}`;
  return result('duplicateKeys', severity, found.keys === 0, 'each key on one row only', observed, keyColumns.join(', '));
}

function freshness(snapshot: CheckedSnapshot, timeColumn: string, limit: { maxAgeDays: number; severity: Severity }, now: Date): CheckResult {
  const profile = snapshot.profile[timeColumn];
  const newest = profile?.kind === 'numeric' ? profile.max : null;
  const expected = `the newest ${timeColumn} at most ${limit.maxAgeDays} day(s) old`;
  if (newest === null) return result('freshness', limit.severity, false, expected, `no ${timeColumn} values`, timeColumn);
  const ageDays = (now.getTime() - newest) / DAY_MS;
  return result('freshness', limit.severity, ageDays <= limit.maxAgeDays, expected,
    `newest ${new Date(newest).toISOString()}, ${ageDays.toFixed(1)} day(s) old`, timeColumn);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
