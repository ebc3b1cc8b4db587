import type { ModelOverview, UndeliveredAlerts } from '../db/dashboard/overview-queries';
import type { Page } from '../db/dashboard/page';
import { alertsOf } from './alerts';
import { formatMetrics, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';

/** When the pipeline's Temporal Schedule next starts a run: a time, none, or unknown when Temporal does not answer. */
export type NextRun = { at: Date | null; paused: boolean } | 'no schedule' | 'unknown';

export function overviewPage(models: Page<ModelOverview>, nextRuns: Map<string, NextRun>, undelivered: UndeliveredAlerts): SafeHtml {
  const body =
    models.items.length === 0
      ? html`<p class="empty">No models yet: run a pipeline (<code>driftline run --pipeline us-employment</code>) and reload.</p>`
      : html`<table class="overview">
<thead><tr><th>pipeline</th><th>model</th><th>champion</th><th>latest version</th><th>drift</th><th>last run</th><th>next run</th><th>needs attention</th></tr></thead>
<tbody>${models.items.map((m) => overviewRow(m, nextRuns.get(m.pipeline) ?? 'unknown'))}</tbody>
</table>
${pager(models, (n) => `/?page=${n}`)}`;
  return layout('Pipelines', [], html`${undeliveredNotice(undelivered)}${body}`);
}

/** Alerts the team has not received stand above everything: the team does not know what they say. */
function undeliveredNotice(u: UndeliveredAlerts): SafeHtml | string {
  if (u.count === 0) return '';
  return html`<p class="alert undelivered">${u.count} alert${u.count === 1 ? '' : 's'} not delivered yet (oldest ${u.oldestAt ? formatTime(u.oldestAt) : '–'}${u.lastError ? `; last try: ${u.lastError}` : ''}); retried until the webhook takes them.</p>
`;
}

function overviewRow(m: ModelOverview, next: NextRun): SafeHtml {
  const alerts = alertsOf(m);
  const model = `/models/${segment(m.model)}`;
  const pipeline = `/pipelines/${segment(m.pipeline)}`;
  return html`<tr class="${alerts.length > 0 ? 'abnormal' : ''}" data-pipeline="${m.pipeline}">
<td><a href="${model}">${m.pipeline}</a><div class="links"><a href="${pipeline}/drift">drift</a> · <a href="${model}/runs">runs</a> · <a href="${pipeline}/data">data</a></div></td>
<td>${m.model}</td>
<td>${m.champion ? html`<a href="${model}/versions/${m.champion.version}">v${m.champion.version}</a><div class="metrics">${formatMetrics(m.champion.metrics)}</div>` : '–'}</td>
<td>${m.latest ? html`v${m.latest.version}<div class="metrics">${formatMetrics(m.latest.metrics)}</div>` : '–'}</td>
<td>${m.latestDrift ? html`<a class="verdict ${m.latestDrift.verdict}" href="${pipeline}/drift/${m.latestDrift.id}">${m.latestDrift.verdict}</a><div class="when">${formatTime(m.latestDrift.createdAt)}</div>` : '–'}</td>
<td>${m.latestRun ? html`<span class="outcome ${m.latestRun.outcome}">${m.latestRun.outcome.replaceAll('_', ' ')}</span><div class="when">${formatTime(m.latestRun.finishedAt)}</div>` : '–'}</td>
<td>${nextRunText(next)}</td>
<td>${alerts.length === 0 ? html`<span class="ok">—</span>` : html`<ul class="alerts">${alerts.map((a) => html`<li class="alert ${a.kind}">${a.text}</li>`)}</ul>`}</td>
</tr>`;
}

function nextRunText(next: NextRun): string {
  if (typeof next === 'string') return next === 'unknown' ? 'unknown (Temporal not reachable)' : 'no schedule';
  if (next.paused) return 'schedule paused';
  return next.at ? formatTime(next.at) : 'none planned';
}
