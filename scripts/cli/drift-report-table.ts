import { windowText } from '../../lib/arrival/pipeline-data';
import type { StoredDriftReport } from '../../lib/db/drift-reports';
import type { AccuracyDecay } from '../../lib/drift/accuracy-decay';
import type { Annotation } from '../../lib/drift/annotation';
import type { DataShift, NumericSummary } from '../../lib/drift/data-shift';
import type { ColumnDrift } from '../../lib/drift/drift-report';
import type { MultivariateDrift } from '../../lib/drift/multivariate';
import { rankColumns } from '../../lib/drift/rank-columns';
import { describeSegmentDrift, type SegmentDrift } from '../../lib/drift/segments';
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
        check.sides ? windowText(check.sides.reference) : check.served ? windowText(check.served.reference) : `snapshot ${report.referenceSnapshotIds.map((id) => `#${id}`).join(', ')} (${check.data.rows.reference} rows)`
      }`,
    ],
    [
      'current',
      check.served
        ? `served inputs: ${check.served.predictions} predictions logged ${check.served.from.slice(0, 19)}Z … ${check.served.to.slice(0, 19)}Z (${check.served.versions.map((v) => `v${v}`).join(', ')})`
        : `new rows: ${check.sides ? windowText(check.sides.current) : `snapshot #${report.currentSnapshotId} (${check.data.rows.current} rows)${window.from ? `, ${window.from.slice(0, 10)} … ${(window.to ?? '').slice(0, 10)}` : ''}`}`,
    ],
    ['target', `${check.target.column}: ${check.target.verdict}`],
    ['prediction', 'verdict' in prediction ? `${prediction.verdict} (${prediction.method} ${describeScore(prediction)})` : `not compared: ${prediction.reason}`],
    [
      'accuracy',
      'decayed' in accuracy ? describeAccuracy(accuracy) : `not measured: ${accuracy.reason}`,
    ],
  ]);
  const ranked = rankColumns(check.data.columns);
  const columns = grid(
    ['column', 'method', 'statistic', 'p-value', 'threshold', 'verdict'],
    ranked.map((c) => [c.column, c.method, number(c.statistic), c.pValue === null ? '—' : number(c.pValue), thresholdOf(c), c.verdict]),
  );
  const skipped = check.data.skipped.map((s) => `  ${s.column}: not compared (${s.reason})`);
  const segments = check.segments ? ['', renderSegments(check.segments)] : [];
  return [header, '', columns, ...skipped, ...segments, '', renderMultivariate(check.data.multivariate), '', renderShifts(ranked), '', renderAnnotations(check.annotations)].join('\n');
}

/** The segments of the groupBy columns, most drifted first: which one moved. */
function renderSegments(segments: SegmentDrift): string {
  const rows = segments.segments.map((s) => [
    s.segment,
    `${s.rows.reference} → ${s.rows.current}`,
    s.column ?? '—',
    s.pValue === null ? number(s.statistic) : `p ${number(s.pValue)}`,
    s.threshold === null ? '—' : number(s.threshold),
    s.verdict,
    s.drifted.join(', ') || '—',
  ]);
  return [`segments by ${segments.by.join(', ')}: ${describeSegmentDrift(segments)}`, grid(['segment', 'rows', 'most drifted', 'score', 'threshold', 'verdict', 'drifted columns'], rows)].join('\n');
}

/** Per column, what the score means at this sample size and the shift in the column's own units. */
function renderShifts(columns: ColumnDrift[]): string {
  const lines = columns.flatMap((c) => {
    const notes = [c.calibration?.meaning, c.methodChange && `method ${c.methodChange.from} → ${c.methodChange.to}: ${c.methodChange.why}`].filter(Boolean);
    return [`  ${c.column}${notes.length > 0 ? ` — ${notes.join('; ')}` : ''}`, ...(c.shift ? shiftLines(c.shift) : [])];
  });
  return ['reference → current, in data units:', ...lines].join('\n');
}

function shiftLines(shift: DataShift): string[] {
  if (shift.kind === 'numeric') {
    const stats = ['mean', 'median', 'p5', 'p25', 'p75', 'p95', 'min', 'max'] as const;
    const side = (s: NumericSummary) => stats.map((k) => `${k} ${value(s[k])}`).join('  ');
    return [
      `      reference  ${side(shift.reference)}  missing ${percent(shift.reference.missingShare)}`,
      `      current    ${side(shift.current)}  missing ${percent(shift.current.missingShare)}`,
    ];
  }
  const top = shift.top.map((t) => `${String(t.value)} ${percent(t.reference)} → ${percent(t.current)}`).join(', ');
  const added = shift.newCategories.map((n) => `${String(n.value)} (${n.count})`).join(', ');
  return [
    `      shares     ${top}; missing ${percent(shift.missingShare.reference)} → ${percent(shift.missingShare.current)}`,
    ...(added ? [`      new        ${added}${shift.moreNewCategories > 0 ? ` and ${shift.moreNewCategories} more` : ''}`] : []),
  ];
}

function renderMultivariate(signal: MultivariateDrift | undefined): string {
  if (!signal) return 'multivariate: not measured';
  if ('skipped' in signal) return `multivariate: not measured (${signal.skipped})`;
  return `multivariate: ${signal.verdict} — PCA reconstruction error of ${signal.columns.join(', ')} (${signal.components} components, ${percent(signal.explained)} of variance): ${number(signal.score)}, typical ${number(signal.typical)}, drift from ${number(signal.threshold)}`;
}

function value(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

/** The champion's error on the newest actuals, the interval of its ratio to the promoted error, and the verdict. */
function describeAccuracy(a: AccuracyDecay): string {
  const measured = `${a.metric} ${value(a.current)} on ${a.examples} labelled rows vs ${value(a.promoted)} at promotion (${signed(a.increase)}, limit +${percent(a.maxIncrease)})`;
  if (a.insufficient) return `${measured}: insufficient, fewer than ${a.minExamples ?? '?'} labelled rows to judge`;
  const interval = a.ratio ? `; ${Math.round(a.ratio.level * 100)} % interval of the ratio ${value(a.ratio.low)} … ${value(a.ratio.high)}` : '';
  return `${measured}${interval}: ${a.decayed ? 'DECAYED' : 'ok'}`;
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
