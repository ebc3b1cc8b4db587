import type { ModelOverview, UndeliveredAlerts } from '../db/dashboard/overview-queries';
import type { Page } from '../db/dashboard/page';
import { alertsOf } from './alerts';
import { formatMetrics, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';
import type { PipelineInfo } from './pipeline-info';

/** When the pipeline's Temporal Schedule next starts a run: a time, none, or unknown when Temporal does not answer. */
export type NextRun = { at: Date | null; paused: boolean } | 'no schedule' | 'unknown';

export function overviewPage(models: Page<ModelOverview>, nextRuns: Map<string, NextRun>, undelivered: UndeliveredAlerts, infos = new Map<string, PipelineInfo>()): SafeHtml {
  const body =
    models.items.length === 0
      ? html`<p class="empty">No models yet: run a pipeline (<code>driftline run --pipeline us-employment</code>) and reload.</p>`
      : html`<table class="overview">
<thead><tr><th>pipeline</th><th>model</th><th>champion</th><th>latest version</th><th>drift since last look</th><th>last run</th><th>next run</th><th>needs attention</th></tr></thead>
<tbody>${models.items.map((m) => overviewRow(m, nextRuns.get(m.pipeline) ?? 'unknown', infos.get(m.pipeline)?.description ?? ''))}</tbody>
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

function overviewRow(m: ModelOverview, next: NextRun, description: string): SafeHtml {
  const alerts = alertsOf(m);
  const model = `/models/${segment(m.model)}`;
  const pipeline = `/pipelines/${segment(m.pipeline)}`;
  return html`<tr class="${alerts.length > 0 ? 'abnormal' : ''}" data-pipeline="${m.pipeline}">
<td><a href="${model}">${m.pipeline}</a>${description ? html`<div class="description">${description}</div>` : ''}<div class="links"><a href="${pipeline}/drift">drift</a> · <a href="${model}/runs">runs</a> · <a href="${pipeline}/data">data</a></div></td>
<td>${m.model}</td>
<td>${m.champion ? html`<a href="${model}/versions/${m.champion.version}">v${m.champion.version}</a><div class="metrics">${formatMetrics(m.champion.metrics)}</div>` : '–'}</td>
<td>${m.latest ? html`v${m.latest.version}<div class="metrics">${formatMetrics(m.latest.metrics)}</div>` : '–'}</td>
<td class="drift">${driftSinceLastLook(m, pipeline)}</td>
<td>${m.latestRun ? html`<span class="outcome ${m.latestRun.outcome}">${m.latestRun.outcome.replaceAll('_', ' ')}</span><div class="when">${formatTime(m.latestRun.finishedAt)}</div>` : '–'}</td>
<td>${nextRunText(next)}</td>
<td>${alerts.length === 0 ? html`<span class="ok">—</span>` : html`<ul class="alerts">${alerts.map((a) => html`<li class="alert ${a.kind}"><a href="${a.href}">${a.text}</a></li>`)}</ul>`}</td>
</tr>`;
}

/**
 * The worst verdict since someone last acknowledged the checks, not merely the latest: a failing
 * check followed by a calm one still needs a look. It links to the report that explains it.
 */
function driftSinceLastLook(m: ModelOverview, pipeline: string): SafeHtml | string {
  const seen = m.acknowledged ? html`<div class="when">seen by ${m.acknowledged.by}, ${formatTime(m.acknowledged.at)}</div>` : '';
  const worst = m.worstDrift;
  if (!worst) return m.acknowledged ? html`<span class="muted">no check since</span>${seen}` : '–';
  const checks = `${worst.checksSince} check${worst.checksSince === 1 ? '' : 's'}`;
  return html`<a class="verdict ${worst.verdict}" href="${pipeline}/drift/${worst.id}">${worst.verdict}</a>
<div class="when">worst of ${checks}${m.acknowledged ? '' : ' (none acknowledged)'}: ${formatTime(worst.createdAt)}</div>${seen}`;
}

function nextRunText(next: NextRun): string {
  if (typeof next === 'string') return next === 'unknown' ? 'unknown (Temporal not reachable)' : 'no schedule';
  if (next.paused) return 'schedule paused';
  return next.at ? formatTime(next.at) : 'none planned';
}
