import { describe, expect, it } from 'vitest';
import { DatasetChecks } from '../../lib/validation/checks-spec';
import { runChecks, type CheckedSnapshot } from '../../lib/validation/run-checks';
import { buildReport } from '../../lib/validation/validation-report';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { loadPipelineSpec } from '../../lib/spec/load-spec';

const DAY = 86_400_000;
const now = new Date('2024-03-01T00:00:00Z');
const snapshot: CheckedSnapshot = {
  rowsRead: 1000,
  rowCount: 950,
  quarantinedCount: 50,
  profile: {
    day: { kind: 'numeric', type: 'timestamp', count: 950, nulls: 0, min: 0, max: now.getTime() - 10 * DAY, mean: 0, std: 0, quantiles: [], histogram: [], sampled: false },
    discount: { kind: 'numeric', type: 'numeric', count: 760, nulls: 190, min: 0, max: 1, mean: 0.1, std: 0.1, quantiles: [], histogram: [], sampled: false },
  },
  duplicates: { keys: 2, rows: 5, examples: [{ order: 7 }, { order: 9 }] },
};

const check = (checks: unknown) =>
  runChecks(snapshot, { checks: DatasetChecks.parse(checks), keyColumns: ['order'], timeColumn: 'day', now });

describe('dataset checks', () => {
  it('by default only require an accepted row', () => {
    expect(check({})).toEqual([{ check: 'rowCount', severity: 'fail', outcome: 'pass', expected: 'at least 1 accepted rows', observed: '950 accepted (1,000 read)' }]);
    expect(runChecks({ ...snapshot, rowCount: 0 }, { checks: DatasetChecks.parse({}), keyColumns: [], now })[0]?.outcome).toBe('fail');
  });

  it('say for each check what was expected and what was observed', () => {
    expect(check({
      rowCount: { min: 100, max: 900, severity: 'warn' },
      quarantinedShare: { max: 0.01 },
      nullFraction: { discount: { max: 0.1, severity: 'warn' } },
      duplicateKeys: {},
      freshness: { maxAgeDays: 7 },
    })).toEqual([
      { check: 'rowCount', severity: 'warn', outcome: 'warn', expected: '100 to 900 accepted rows', observed: '950 accepted (1,000 read)' },
      { check: 'quarantinedShare', severity: 'fail', outcome: 'fail', expected: 'at most 1% of rows quarantined', observed: '5% (50 of 1,000 rows)' },
      { check: 'nullFraction', column: 'discount', severity: 'warn', outcome: 'warn', expected: 'at most 10% nulls', observed: '20% (190 of 950 rows)' },
      { check: 'duplicateKeys', column: 'order', severity: 'fail', outcome: 'fail', expected: 'each key on one row only', observed: '2 key value(s) repeated across 5 rows, e.g. order=7; order=9' },
      { check: 'freshness', column: 'day', severity: 'fail', outcome: 'fail', expected: 'the newest day at most 7 day(s) old', observed: 'newest 2024-02-20T00:00:00.000Z, 10.0 day(s) old' },
    ]);
  });

  it('pass when the data meets them', () => {
    const results = check({ quarantinedShare: { max: 0.05 }, nullFraction: { discount: { max: 0.2 } }, freshness: { maxAgeDays: 10 } });
    expect(results.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });
});

describe('the validation report', () => {
  it('fails only on fail-severity checks, and reads as one line per check', () => {
    const report = buildReport(12, check({ rowCount: { min: 1, max: 10, severity: 'warn' }, quarantinedShare: { max: 0.01 } }));
    expect(report.passed).toBe(false);
    expect(report.summary).toBe([
      'Data validation of snapshot #12: 1 of 2 checks failed, 1 warning',
      '  WARN rowCount: expected 1 to 10 accepted rows, observed 950 accepted (1,000 read)',
      '  FAIL quarantinedShare: expected at most 1% of rows quarantined, observed 5% (50 of 1,000 rows)',
    ].join('\n'));
    expect(buildReport(12, check({ rowCount: { min: 1, max: 10, severity: 'warn' } })).passed).toBe(true);
  });
});

describe('checks in the pipeline spec', () => {
  it('need the columns they name', async () => {
    const { spec } = await loadPipelineSpec('us-employment');
    const result = PipelineSpec.safeParse({
      ...spec,
      timeColumn: undefined,
      keyColumns: ['nope'],
      checks: { nullFraction: { missing: { max: 0.1 } }, freshness: { maxAgeDays: 1 } },
    });
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'keyColumns.0: column "nope" is not declared in columns',
      'checks.nullFraction.missing: column "missing" is not declared in columns',
      'evaluation.holdout.from: a holdout by date needs a timeColumn',
      'checks.freshness: needs a timeColumn',
    ]);
  });
});
