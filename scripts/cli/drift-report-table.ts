import { windowText } from '../../lib/arrival/pipeline-data';
import type { StoredDriftReport } from '../../lib/db/drift-reports';
import type { Annotation } from '../../lib/drift/annotation';
import type { ColumnDrift } from '../../lib/drift/drift-report';
import { rankColumns } from '../../lib/drift/rank-columns';
import { table } from './context';

/** A drift report for people: the verdict and why, then every column ranked by how far it drifted, then annotations. */
export function renderDriftReport(report: StoredDriftReport): string {
  const { check } = report;
  const { window, prediction, accuracy } = check;
  const header = table([
    ['report', `#${report.id} on ${report.pipeline}, ${report.createdAt.toISOString().slice(0, 19)}Z (workflow ${report.workflowId})`],
    ['verdict', check.verdict.toUpperCase()],
    ...check.reasons.map((reason): [string, string] => ['why', reason]),
    [
      'reference',
      `champion v${report.championVersion} of ${report.modelName}, its training data: ${
        check.sides ? windowText(check.sides.reference) : `snapshot ${report.referenceSnapshotIds.map((id) => `#${id}`).join(', ')} (${check.data.rows.reference} rows)`
      }`,
    ],
    [
      'current',
      `new rows: ${check.sides ? windowText(check.sides.current) : `snapshot #${report.currentSnapshotId} (${check.data.rows.current} rows)${window.from ? `, ${window.from.slice(0, 10)} … ${(window.to ?? '').slice(0, 10)}` : ''}`}`,
    ],
    ['target', `${check.target.column}: ${check.target.verdict}`],
    ['prediction', 'verdict' in prediction ? `${prediction.verdict} (${prediction.method} ${describeScore(prediction)})` : `not compared: ${prediction.reason}`],
    [
      'accuracy',
      'decayed' in accuracy
        ? `${accuracy.metric} ${accuracy.current.toFixed(2)} on ${accuracy.examples} labelled rows vs ${accuracy.promoted.toFixed(2)} at promotion (${signed(accuracy.increase)}, limit +${percent(accuracy.maxIncrease)}): ${accuracy.decayed ? 'DECAYED' : 'ok'}`
        : `not measured: ${accuracy.reason}`,
    ],
  ]);
  const columns = grid(
    ['column', 'method', 'statistic', 'p-value', 'threshold', 'verdict'],
    rankColumns(check.data.columns).map((c) => [c.column, c.method, number(c.statistic), c.pValue === null ? '—' : number(c.pValue), thresholdOf(c), c.verdict]),
  );
  const skipped = check.data.skipped.map((s) => `  ${s.column}: not compared (${s.reason})`);
  return [header, '', columns, ...skipped, '', renderAnnotations(check.annotations)].join('\n');
}

function renderAnnotations(annotations: Annotation[]): string {
  if (annotations.length === 0) return 'annotations: none overlap this window';
  const lines = annotations.map(
    (a) => `  #${a.id} ${a.label}  ${a.startsAt.slice(0, 10)} … ${a.endsAt.slice(0, 10)}  effect ${a.effect}  by ${a.createdBy}${a.note ? `: ${a.note}` : ''}`,
  );
  return ['annotations:', ...lines].join('\n');
}

/** Left-aligned columns under a header, two spaces apart. */
function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function describeScore(c: ColumnDrift): string {
  return c.pValue === null ? `distance ${number(c.statistic)}` : `p ${number(c.pValue)}`;
}

function thresholdOf(c: ColumnDrift): string {
  const side = c.pValue === null ? '≥' : '<';
  return `${side} ${c.threshold}${c.warnThreshold === null ? '' : ` (warn ${side} ${c.warnThreshold})`}`;
}

function number(value: number | null): string {
  if (value === null) return '∞';
  return value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5) ? value.toExponential(2) : value.toFixed(4);
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function signed(share: number): string {
  return `${share >= 0 ? '+' : '−'}${percent(Math.abs(share))}`;
}
