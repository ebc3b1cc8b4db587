import { windowText } from '../arrival/pipeline-data';
import type { SnapshotValidation } from '../db/dashboard/data-queries';
import type { CheckScores, DriftReportRow } from '../db/dashboard/drift-queries';
import type { Page } from '../db/dashboard/page';
import type { StoredDriftReport } from '../db/drift-reports';
import type { Annotation } from '../drift/annotation';
import type { DataShift, NumericSummary } from '../drift/data-shift';
import type { ColumnDrift, Histogram } from '../drift/drift-report';
import type { MultivariateDrift } from '../drift/multivariate';
import { DRIFT_METHODS, type DriftMethod } from '../drift/drift-methods';
import { rankColumns } from '../drift/rank-columns';
import { describeSegmentDrift, type SegmentDrift } from '../drift/segments';
import { servedText } from '../serving/serving-check';
import { acknowledgeForm, annotateForm } from './action-forms';
import { chartFigure, COLORS, epochSeconds, type ChartSpec } from './charts';
import { chartValue, formatDate, formatNumber, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';
import { columnDescription, columnLabel, pipelineDescription, unitOf, type PipelineInfo } from './pipeline-info';
import { validationSection } from './validation-section';

export function driftListPage(pipeline: string, reports: Page<DriftReportRow>, trend: CheckScores[], info: PipelineInfo): SafeHtml {
  const base = `/pipelines/${segment(pipeline)}/drift`;
  const body =
    reports.items.length === 0
      ? html`<p class="empty">No drift checks yet: a run compares its data with the champion's once there is one.</p>`
      : html`<table>
<thead><tr><th>checked</th><th>verdict</th><th>champion</th><th>current snapshot</th><th>columns drifted</th><th>why</th></tr></thead>
<tbody>${reports.items.map(
          (r) => html`<tr class="${r.verdict === 'fail' ? 'abnormal' : ''}"><td><a href="${base}/${r.id}">${formatTime(r.createdAt)}</a></td><td><span class="verdict ${r.verdict}">${r.verdict}</span></td><td>v${r.championVersion}</td><td>${r.currentSnapshotId === null ? 'served inputs' : html`<a href="/snapshots/${r.currentSnapshotId}">#${r.currentSnapshotId}</a>`}</td><td>${r.columnsDrifted} of ${r.columnsTested}</td><td>${r.reasons.join('; ')}</td></tr>`,
        )}</tbody>
</table>
${pager(reports, (n) => `${base}?page=${n}`)}`;
  const page = html`${pipelineDescription(info)}${body}${trendSection(trend, info)}
<p class="muted">No segment breakdown: the spec declares no segments for this pipeline.</p>
${annotateForm(pipeline)}`;
  return layout(`Drift of ${pipeline}`, [{ label: pipeline }, { label: 'drift' }], page);
}

/**
 * Each column's score across the checks, beside its threshold: a column creeping towards drift
 * shows before it crosses. One chart per column, since p-values and distances share no scale.
 */
function trendSection(trend: CheckScores[], info: PipelineInfo): SafeHtml {
  if (trend.length < 2) return html``;
  const columns = [...new Set(trend.flatMap((check) => check.columns.map((c) => c.column)))];
  return html`<h2>Score of each column across checks</h2>
<div class="trends">${columns.map((column, i) => trendFigure(trend, column, i, info))}</div>`;
}

/** p-values are drawn on a log scale, where 0 has no place: smaller ones sit on this floor. */
const P_VALUE_FLOOR = 1e-12;

function trendFigure(trend: CheckScores[], column: string, index: number, info: PipelineInfo): SafeHtml {
  const scores = trend.map((check) => check.columns.find((c) => c.column === column));
  const methods = [...new Set(scores.flatMap((s) => (s ? [s.method] : [])))];
  const measures = [...new Set(methods.map((m) => DRIFT_METHODS[m as DriftMethod]?.measures ?? 'score'))];
  // A p-value of 0.04 and one of 1e-9 both drift, but only a log scale tells them apart.
  const pValues = measures.length === 1 && measures[0] === 'p-value';
  const drawn = (value: number | null | undefined) => {
    const v = chartValue(value);
    return pValues && v !== null ? Math.log10(Math.max(v, P_VALUE_FLOOR)) : v;
  };
  const spec: ChartSpec = {
    x: trend.map((check) => epochSeconds(check.createdAt)),
    xLabel: 'checked at',
    yLabel: `${methods.join(' / ')} ${measures.join(' / ')}${pValues ? ' (log scale)' : ''}`,
    yLog: pValues,
    series: [
      { label: `${column} score`, values: scores.map((s) => drawn(s?.score)), style: 'line', color: COLORS.line },
      { label: 'threshold', values: scores.map((s) => drawn(s?.threshold)), style: 'line', color: COLORS.alarm },
    ],
  };
  const drifted = scores.filter((s) => s?.verdict === 'drift').length;
  const rule = pValues ? `drift below the threshold; p-values under ${P_VALUE_FLOOR} drawn at ${P_VALUE_FLOOR}` : 'drift at or above the threshold';
  return chartFigure(`trend-${index}`, spec, `${columnLabel(info, column)}: ${rule}; drifted in ${drifted} of ${trend.length} checks.`);
}

/** One check: its verdict and reasons, every tested column ranked (most drifted first) with both distributions overlaid. */
export function driftReportPage(report: StoredDriftReport, annotations: Annotation[], info: PipelineInfo, validations: SnapshotValidation[]): SafeHtml {
  const { check } = report;
  const columns = rankColumns(check.data.columns);
  const body = html`${pipelineDescription(info)}<p class="summary"><span class="verdict ${check.verdict}">${check.verdict}</span>
${check.served ? html`serving drift: ${servedText(check.served)}` : html`current snapshot <a href="/snapshots/${report.currentSnapshotId}">#${report.currentSnapshotId}</a>`} against the training data of champion v${report.championVersion}
(snapshots ${report.referenceSnapshotIds.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="/snapshots/${id}">#${id}</a>`)}) · checked ${formatTime(report.createdAt)}</p>
${check.reasons.length > 0 ? html`<ul class="reasons">${check.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${check.sides ? html`<dl class="sides"><dt>reference</dt><dd>the rows champion v${report.championVersion} learned from: ${windowText(check.sides.reference)}</dd><dt>current</dt><dd>the rows new since then: ${windowText(check.sides.current)}</dd></dl>` : ''}
<p>Data window: ${check.window.from ? html`${formatDate(check.window.from)} – ${formatDate(check.window.to)}` : 'no time column'}</p>
<h2>Annotations overlapping the window</h2>
${annotations.length === 0 ? html`<p class="empty">None.</p>` : html`<ul class="annotations">${annotations.map((a) => html`<li><strong>${a.label}</strong> ${formatDate(a.startsAt)} – ${formatDate(a.endsAt)} (${a.effect.replaceAll('_', ' ')}, by ${a.createdBy})${a.note ? html`: ${a.note}` : ''}</li>`)}</ul>`}
${multivariateSection(check.data.multivariate)}
<h2>Columns, most drifted first</h2>
<ol class="columns">${columns.map((c, i) => columnSection(c, i, info))}</ol>
${check.data.skipped.length > 0 ? html`<h2>Not tested</h2><ul>${check.data.skipped.map((s) => html`<li>${s.column}: ${s.reason}</li>`)}</ul>` : ''}
${report.currentSnapshotId === null ? '' : html`<h2 id="validation">Validation of snapshot #${report.currentSnapshotId}</h2>
${validationSection(validations.filter((v) => v.pipeline === report.pipeline))}`}
${segmentsSection(check.segments)}
${acknowledgeForm(report.pipeline, report.id)}`;
  const drift = `/pipelines/${segment(report.pipeline)}/drift`;
  return layout(`Drift report #${report.id}`, [{ label: report.pipeline, href: drift }, { label: `report #${report.id}` }], body);
}

/** Each segment of the groupBy columns against its own reference, most drifted first. */
function segmentsSection(segments: SegmentDrift | undefined): SafeHtml {
  if (!segments) return html`<p class="muted">No segment breakdown: the spec declares no segments for this pipeline.</p>`;
  return html`<h2 id="segments">Segments by ${segments.by.join(', ')}, most drifted first</h2>
<p>${describeSegmentDrift(segments)}</p>
<div class="scroll"><table class="segments"><thead><tr><th>segment</th><th>reference rows</th><th>current rows</th><th>most drifted column</th><th>score</th><th>threshold</th><th>verdict</th><th>drifted columns</th></tr></thead>
<tbody>${segments.segments.map((s) => html`<tr class="${s.verdict}" data-segment="${s.segment}"><td>${s.segment}</td><td>${s.rows.reference}</td><td>${s.rows.current}</td><td>${s.column ?? '—'}</td>
<td>${formatNumber(s.pValue ?? s.statistic)}</td><td>${formatNumber(s.threshold)}</td><td><span class="verdict ${s.verdict}">${s.verdict}</span></td><td>${s.drifted.join(', ') || '—'}</td></tr>`)}</tbody></table></div>`;
}

function columnSection(c: ColumnDrift, index: number, info: PipelineInfo): SafeHtml {
  const score = c.pValue ?? c.statistic;
  const measures = DRIFT_METHODS[c.method].measures;
  const unit = unitOf(info, c.column);
  return html`<li class="column ${c.verdict}" data-column="${c.column}">
<h3>${columnLabel(info, c.column)} <span class="verdict ${c.verdict}">${c.verdict}</span></h3>
${columnDescription(info, c.column)}
<p>${c.method} ${measures} ${formatNumber(score)} · threshold ${formatNumber(c.threshold)}${c.warnThreshold === null ? '' : ` (warn from ${formatNumber(c.warnThreshold)})`}
· ${c.compared.reference} reference and ${c.compared.current} current values</p>
${c.calibration ? html`<p class="meaning">${c.calibration.meaning}</p>` : ''}
${c.methodChange ? html`<p class="meaning">method changed from ${c.methodChange.from} to ${c.methodChange.to}: ${c.methodChange.why}</p>` : ''}
${c.shift ? shiftTable(c.shift, unit) : ''}
${chartFigure(`column-${index}`, histogramChart(c.histogram, columnLabel(info, c.column)), 'Share of values per bin: reference and current overlaid.')}
</li>`;
}

/** The shift in the column's own units: reference and current side by side. */
function shiftTable(shift: DataShift, unit: string | undefined): SafeHtml {
  const inUnits = unit ? html`<caption>in ${unit}</caption>` : '';
  if (shift.kind === 'numeric') {
    const stats = ['mean', 'median', 'p5', 'p25', 'p75', 'p95', 'min', 'max'] as const;
    const row = (label: string, s: NumericSummary) => html`<tr><th>${label}</th>${stats.map((k) => html`<td>${formatNumber(s[k])}</td>`)}<td>${formatNumber(s.missingShare * 100)} %</td></tr>`;
    return html`<div class="scroll"><table class="shift">${inUnits}<thead><tr><th></th>${stats.map((k) => html`<th>${k}</th>`)}<th>missing</th></tr></thead>
<tbody>${row('reference', shift.reference)}${row('current', shift.current)}</tbody></table></div>`;
  }
  const missing = html`<tr class="missing"><td>missing</td><td>${formatNumber(shift.missingShare.reference * 100)} %</td><td>${formatNumber(shift.missingShare.current * 100)} %</td></tr>`;
  return html`<div class="scroll"><table class="shift">${inUnits}<thead><tr><th>value</th><th>reference</th><th>current</th></tr></thead>
<tbody>${shift.top.map((t) => html`<tr><td>${String(t.value)}</td><td>${formatNumber(t.reference * 100)} %</td><td>${formatNumber(t.current * 100)} %</td></tr>`)}${missing}</tbody></table></div>
${shift.newCategories.length > 0 ? html`<p>New values: ${shift.newCategories.map((n) => `${String(n.value)} (${n.count})`).join(', ')}${shift.moreNewCategories > 0 ? ` and ${shift.moreNewCategories} more` : ''}</p>` : ''}`;
}

/** The multivariate signal: how the numeric columns move together. */
function multivariateSection(signal: MultivariateDrift | undefined): SafeHtml {
  if (!signal) return html``;
  if ('skipped' in signal) return html`<h2>Columns together</h2><p class="empty">Not measured: ${signal.skipped}</p>`;
  return html`<h2>Columns together <span class="verdict ${signal.verdict}">${signal.verdict}</span></h2>
<p>PCA reconstruction error of ${signal.columns.join(', ')} (${signal.components} components, ${formatNumber(signal.explained * 100)} % of the variance): ${formatNumber(signal.score)}; reference chunks of the same size score ${formatNumber(signal.typical)}, drift from ${formatNumber(signal.threshold)}.</p>`;
}

/** Shares rather than counts, so a reference of 10,000 rows and a current of 500 compare by shape. */
function histogramChart(h: Histogram, xLabel: string): ChartSpec {
  const shares = (counts: number[], extra = 0) => {
    const total = counts.reduce((s, n) => s + n, 0) + extra;
    return counts.map((n) => (total > 0 ? n / total : 0));
  };
  const withOther = h.kind === 'categories' && h.other.categories > 0;
  const categories =
    h.kind === 'bins' ? h.reference.map((_, i) => `${formatNumber(h.edges[i])}–${formatNumber(h.edges[i + 1])}`) : [...h.values.map(String), ...(withOther ? [`${h.other.categories} others`] : [])];
  const reference = h.kind === 'categories' && withOther ? [...h.reference, h.other.reference] : h.reference;
  const current = h.kind === 'categories' && withOther ? [...h.current, h.other.current] : h.current;
  return {
    x: categories.map((_, i) => i),
    categories,
    xLabel,
    yLabel: 'share of values',
    series: [
      { label: 'reference', values: shares(reference), style: 'bars', color: COLORS.reference },
      { label: 'current', values: shares(current), style: 'bars', color: COLORS.current },
    ],
  };
}
