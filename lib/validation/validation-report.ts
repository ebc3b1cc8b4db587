import { z } from 'zod';
import { Severity } from './checks-spec';

/** One dataset check's verdict, readable on its own: which check, what was expected, what was seen. */
export const CheckResult = z.object({
  check: z.enum(['rowCount', 'quarantinedShare', 'nullFraction', 'duplicateKeys', 'freshness']),
  /** The column (or key columns) the check looked at, when it looks at one. */
  column: z.string().optional(),
  severity: Severity,
  /** `warn` is a failed check of warn severity: reported, but the run goes on. */
  outcome: z.enum(['pass', 'warn', 'fail']),
  expected: z.string(),
  observed: z.string(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** What the validate step returns, stores and shows in the `status` query. */
export const ValidationReport = z.object({
  snapshotId: z.number().int(),
  /** False when any check of `fail` severity failed: the run stops before training. */
  passed: z.boolean(),
  checks: z.array(CheckResult),
  /** The report as text, one line per check, for logs, CLI output and the failure message. */
  summary: z.string(),
});
export type ValidationReport = z.infer<typeof ValidationReport>;

/** Judges a snapshot by its checks' results and writes the readable summary. */
export function buildReport(snapshotId: number, checks: CheckResult[]): ValidationReport {
  const failed = checks.filter((c) => c.outcome === 'fail').length;
  const warned = checks.filter((c) => c.outcome === 'warn').length;
  const verdict = failed > 0 ? `${failed} of ${checks.length} checks failed` : `all ${checks.length} checks passed`;
  const lines = checks.map((c) => {
    const name = c.column === undefined ? c.check : `${c.check}(${c.column})`;
    return `  ${c.outcome.toUpperCase().padEnd(4)} ${name}: expected ${c.expected}, observed ${c.observed}`;
  });
  const warnings = warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : '';
  return {
    snapshotId,
    passed: failed === 0,
    checks,
    summary: [`Data validation of snapshot #${snapshotId}: ${verdict}${warnings}`, ...lines].join('\n'),
  };
}
