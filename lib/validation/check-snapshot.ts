import { findDuplicateKeys, getSnapshot } from '../db/snapshots';
import type { Pool } from '../db/pool';
import type { DatasetChecks } from './checks-spec';
import { runChecks } from './run-checks';
import { buildReport, type ValidationReport } from './validation-report';

/** The parts of a pipeline spec the dataset checks read. */
export interface SnapshotRules {
  checks: DatasetChecks;
  keyColumns: string[];
  timeColumn?: string;
}

/** Runs the dataset checks on a stored snapshot: counts and profile from its record, repeated keys from the database. */
export async function checkSnapshot(pool: Pool, snapshotId: number, rules: SnapshotRules, now = new Date()): Promise<ValidationReport> {
  const snapshot = await getSnapshot(pool, snapshotId);
  if (!snapshot.profile) throw new Error(`snapshot ${snapshotId} has no profile: it was stored before validation existed; ingest again`);
  const duplicates = rules.checks.duplicateKeys ? await findDuplicateKeys(pool, snapshotId, rules.keyColumns) : undefined;
  const checks = runChecks({ ...snapshot, profile: snapshot.profile, ...(duplicates && { duplicates }) }, { ...rules, now });
  return buildReport(snapshotId, checks);
}
