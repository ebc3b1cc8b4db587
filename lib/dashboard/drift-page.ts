import { windowText } from '../arrival/pipeline-data';
import type { DriftReportRow } from '../db/dashboard/drift-queries';
import type { Page } from '../db/dashboard/page';
import type { StoredDriftReport } from '../db/drift-reports';
import type { Annotation } from '../drift/annotation';
import type { DataShift, NumericSummary } from '../drift/data-shift';
import type { ColumnDrift, Histogram } from '../drift/drift-report';
import type { MultivariateDrift } from '../drift/multivariate';
import { DRIFT_METHODS } from '../drift/drift-methods';
import { rankColumns } from '../drift/rank-columns';
import { annotateForm } from './action-forms';
import { chartFigure, COLORS, type ChartSpec } from './charts';
import { formatNumber, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';

export function driftListPage(pipeline: string, reports: Page<DriftReportRow>): SafeHtml {
  const base = `/pipelines/${segment(pipeline)}/drift`;
  const body =
    reports.items.length === 0
      ? html`<p class="empty">No drift checks yet: a run compares its data with the champion's once there is one.</p>`
      : html`<table>
<thead><tr><th>checked</th><th>verdict</th><th>champion</th><th>current snapshot</th><th>columns drifted</th><th>why</th></tr></thead>
<tbody>${reports.items.map(
          (r) => html`<tr class="${r.verdict === 'fail' ? 'abnormal' : ''}"><td><a href="${base}/${r.id}">${formatTime(r.createdAt)}</a></td><td><span class="verdict ${r.verdict}">${r.verdict}</span></td><td>v${r.championVersion}</td><td><a href="/snapshots/${r.currentSnapshotId}">#${r.currentSnapshotId}</a></td><td>${r.columnsDrifted} of ${r.columnsTested}</td><td>${r.reasons.join('; ')}</td></tr>`,
        )}</tbody>
</table>
${pager(reports, (n) => `${base}?page=${n}`)}`;
  return layout(`Drift of ${pipeline}`, [{ label: pipeline }, { label: 'drift' }], html`${body}${annotateForm(pipeline)}`);
}

/** One check: its verdict and reasons, every tested column ranked (most drifted first) with both distributions overlaid. */
export function driftReportPage(report: StoredDriftReport, annotations: Annotation[]): SafeHtml {
  const { check } = report;
  const columns = rankColumns(check.data.columns);
  const body = html`<p class="summary"><span class="verdict ${check.verdict}">${check.verdict}</span>
current snapshot <a href="/snapshots/${report.currentSnapshotId}">#${report.currentSnapshotId}</a> against the training data of champion v${report.championVersion}
(snapshots ${report.referenceSnapshotIds.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="/snapshots/${id}">#${id}</a>`)}) · checked ${formatTime(report.createdAt)}</p>
${check.reasons.length > 0 ? html`<ul class="reasons">${check.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
${check.sides ? html`<dl class="sides"><dt>reference</dt><dd>the rows champion v${report.championVersion} learned from: ${windowText(check.sides.reference)}</dd><dt>current</dt><dd>the rows new since then: ${windowText(check.sides.current)}</dd></dl>` : ''}
<p>Data window: ${check.window.from ? html`${formatTime(check.window.from)} – ${formatTime(check.window.to)}` : 'no time column'}</p>
<h2>Annotations overlapping the window</h2>
${annotations.length === 0 ? html`<p class="empty">None.</p>` : html`<ul class="annotations">${annotations.map((a) => html`<li><strong>${a.label}</strong> ${formatTime(a.startsAt)} – ${formatTime(a.endsAt)} (${a.effect.replaceAll('_', ' ')}, by ${a.createdBy})${a.note ? html`: ${a.note}` : ''}</li>`)}</ul>`}
${multivariateSection(check.data.multivariate)}
<h2>Columns, most drifted first</h2>
<ol class="columns">${columns.map((c, i) => columnSection(c, i))}</ol>
${check.data.skipped.length > 0 ? html`<h2>Not tested</h2><ul>${check.data.skipped.map((s) => html`<li>${s.column}: ${s.reason}</li>`)}</ul>` : ''}`;
  const drift = `/pipelines/${segment(report.pipeline)}/drift`;
  return layout(`Drift report #${report.id}`, [{ label: report.pipeline, href: drift }, { label: `report #${report.id}` }], body);
}

function columnSection(c: ColumnDrift, index: number): SafeHtml {
  const score = c.pValue ?? c.statistic;
  const measures = DRIFT_METHODS[c.method].measures;
  return html`<li class="column ${c.verdict}" data-column="${c.column}">
<h3>${c.column} <span class="verdict ${c.verdict}">${c.verdict}</span></h3>
<p>${c.method} ${measures} ${formatNumber(score)} · threshold ${formatNumber(c.threshold)}${c.warnThreshold === null ? '' : ` (warn from ${formatNumber(c.warnThreshold)})`}
· ${c.compared.reference} reference and ${c.compared.current} current values</p>
${c.calibration ? html`<p class="meaning">${c.calibration.meaning}</p>` : ''}
${c.methodChange ? html`<p class="meaning">method changed from ${c.methodChange.from} to ${c.methodChange.to}: ${c.methodChange.why}</p>` : ''}
${c.shift ? shiftTable(c.shift) : ''}
${chartFigure(`column-${index}`, histogramChart(c.histogram), 'Share of values per bin: reference and current overlaid.')}
</li>`;
}

/** The shift in the column's own units: reference and current side by side. */
function shiftTable(shift: DataShift): SafeHtml {
  if (shift.kind === 'numeric') {
    const stats = ['mean', 'median', 'p5', 'p25', 'p75', 'p95', 'min', 'max'] as const;
    const row = (label: string, s: NumericSummary) => html`<tr><th>${label}</th>${stats.map((k) => html`<td>${formatNumber(s[k])}</td>`)}<td>${formatNumber(s.missingShare * 100)} %</td></tr>`;
    return html`<div class="scroll"><table class="shift"><thead><tr><th></th>${stats.map((k) => html`<th>${k}</th>`)}<th>missing</th></tr></thead>
<tbody>${row('reference', shift.reference)}${row('current', shift.current)}</tbody></table></div>`;
  }
  return html`<div class="scroll"><table class="shift"><thead><tr><th>value</th><th>reference</th><th>current</th></tr></thead>
<tbody>${shift.top.map((t) => html`<tr><td>${String(t.value)}</td><td>${formatNumber(t.reference * 100)} %</td><td>${formatNumber(t.current * 100)} %</td></tr>`)}</tbody></table></div>
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
function histogramChart(h: Histogram): ChartSpec {
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
    xLabel: h.kind === 'bins' ? 'bin' : 'value',
    yLabel: 'share',
    series: [
      { label: 'reference', values: shares(reference), style: 'bars', color: COLORS.reference },
      { label: 'current', values: shares(current), style: 'bars', color: COLORS.current },
    ],
  };
}
