import type { WaitingApproval } from '../db/approvals';
import type { AuditRow, ChampionPeriod, VersionPoint, VersionRow } from '../db/dashboard/model-queries';
import type { ModelOverview } from '../db/dashboard/overview-queries';
import type { Page } from '../db/dashboard/page';
import { rollbackForm } from './action-forms';
import { approvalsSection } from './approval-box';
import { chartFigure, COLORS, epochSeconds, type ChartSpec } from './charts';
import type { BaselineSummary } from '../evaluation/baselines';
import { describeBaselines } from '../evaluation/format';
import type { Metrics } from '../model/metrics';
import { formatMetrics, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';

export interface ModelPageData {
  overview: ModelOverview;
  series: VersionPoint[];
  versions: Page<VersionRow>;
  champions: ChampionPeriod[];
  audit: Page<AuditRow>;
  /** Every run waiting for a person on this model, oldest first. */
  approvals: WaitingApproval[];
}

export function modelPage(d: ModelPageData): SafeHtml {
  const { overview: m } = d;
  const base = `/models/${segment(m.model)}`;
  const body = html`<p class="summary">Pipeline <strong>${m.pipeline}</strong> ·
champion ${m.champion ? html`<a href="${base}/versions/${m.champion.version}">v${m.champion.version}</a> (${formatMetrics(m.champion.metrics)})` : 'none yet'} ·
<a href="${base}/runs">training runs</a> · <a href="/pipelines/${segment(m.pipeline)}/drift">drift reports</a> · <a href="/pipelines/${segment(m.pipeline)}/data">data</a></p>
${approvalsSection(d.approvals)}
<h2>Versions over time</h2>
${chartFigure('versions-chart', versionsChart(d.series), `Holdout error of the ${d.series.length} most recent versions (lower is better), each scored before its refit, beside the best naive baseline on the same holdout.`)}
<h2>Versions</h2>
${versionsTable(base, d.versions)}
${pager(d.versions, (n) => `${base}?page=${n}`)}
<h2>Champion history</h2>
${championTable(d.champions)}
<h2>Decisions</h2>
${auditTable(d.audit)}
${pager(d.audit, (n) => `${base}?page=${d.versions.page}&auditPage=${n}`)}
${rollbackForm(m.model, m.champion?.version)}`;
  return layout(m.model, [{ label: m.pipeline }, { label: m.model }], body);
}

function versionsChart(series: VersionPoint[]): ChartSpec {
  const metric = (key: string) => series.map((p) => (typeof p.metrics[key] === 'number' ? p.metrics[key] : null));
  return {
    x: series.map((p) => epochSeconds(p.createdAt)),
    xLabel: 'trained at',
    yLabel: 'holdout error',
    series: [
      { label: 'RMSE', values: metric('rmse'), style: 'line', color: COLORS.line },
      { label: 'MAE', values: metric('mae'), style: 'line', color: COLORS.second },
      { label: 'best naive baseline RMSE', values: series.map((p) => bestBaseline(p.baselines)?.rmse ?? null), style: 'points', color: COLORS.muted },
    ],
  };
}

function versionsTable(base: string, versions: Page<VersionRow>): SafeHtml {
  return html`<table>
<thead><tr><th>version</th><th>trained</th><th>trainer</th><th>holdout metrics</th><th>naive baselines</th><th>aliases</th></tr></thead>
<tbody>${versions.items.map(
    (v) => html`<tr><td><a href="${base}/versions/${v.version}">v${v.version}</a></td><td>${formatTime(v.createdAt)}</td><td>${v.trainer}</td><td>${formatMetrics(v.metrics)}</td><td class="baselines">${v.baselines ? describeBaselines(v.baselines) : '–'}</td><td>${v.aliases.map((a) => html`<span class="alias ${a}">${a}</span> `)}</td></tr>`,
  )}</tbody>
</table>`;
}

function bestBaseline(baselines: BaselineSummary | null): Metrics | undefined {
  return baselines?.scores.find((s) => s.name === baselines.best)?.metrics;
}

function championTable(periods: ChampionPeriod[]): SafeHtml {
  if (periods.length === 0) return html`<p class="empty">No version has been champion yet.</p>`;
  return html`<table>
<thead><tr><th>version</th><th>from</th><th>until</th><th>how</th><th>by</th></tr></thead>
<tbody>${periods.map((p) => html`<tr><td>v${p.version}</td><td>${formatTime(p.from)}</td><td>${p.until ? formatTime(p.until) : 'now'}</td><td>${p.action}</td><td>${p.actor}</td></tr>`)}</tbody>
</table>`;
}

function auditTable(audit: Page<AuditRow>): SafeHtml {
  if (audit.items.length === 0) return html`<p class="empty">Nothing decided yet.</p>`;
  return html`<table class="audit">
<thead><tr><th>when</th><th>action</th><th>version</th><th>who</th><th>why</th></tr></thead>
<tbody>${audit.items.map((a) => html`<tr class="action-${a.action}"><td>${formatTime(a.at)}</td><td>${a.action}</td><td>${a.version === null ? '–' : `v${a.version}`}</td><td>${a.actor}</td><td>${a.reason}</td></tr>`)}</tbody>
</table>`;
}
