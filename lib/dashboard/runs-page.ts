import type { Page } from '../db/dashboard/page';
import type { RunRow } from '../db/dashboard/runs-queries';
import { chartFigure, COLORS, epochSeconds, type ChartSpec } from './charts';
import { formatDuration, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';
import { NO_INFO, pipelineDescription, type PipelineInfo } from './pipeline-info';

export const OVER_NORM = 'cancelled_over_norm';

export function runsPage(model: string, runs: Page<RunRow>, workflowLink: (workflowId: string, runId?: string) => string, info: PipelineInfo = NO_INFO): SafeHtml {
  const base = `/models/${segment(model)}`;
  const cancelled = runs.items.filter((r) => r.outcome === OVER_NORM).length;
  const caption = html`Training duration against the runtime norm in force, oldest left.
${cancelled > 0 ? html`<strong class="alarm">${cancelled} run${cancelled === 1 ? '' : 's'} cancelled over the norm, marked in red.</strong>` : 'No run on this page was cancelled over its norm.'}`;
  const body = html`${pipelineDescription(info)}${chartFigure('runs-chart', runsChart(runs.items), caption)}
<table class="runs">
<thead><tr><th>finished</th><th>outcome</th><th>duration</th><th>norm</th><th>version</th><th>Temporal</th></tr></thead>
<tbody>${runs.items.map(
    (r) => html`<tr class="${r.outcome === OVER_NORM ? 'abnormal over-norm' : ''}"><td>${formatTime(r.finishedAt)}</td><td><span class="outcome ${r.outcome}">${r.outcome.replaceAll('_', ' ')}</span>${r.error ? html`<div class="error">${r.error}</div>` : ''}</td><td>${formatDuration(r.durationMs)}</td><td>${formatDuration(r.normMs)}${r.normBasis ? html` <span class="muted">(${r.normBasis})</span>` : ''}</td><td>${r.version === null ? '–' : html`<a href="${base}/versions/${r.version}">v${r.version}</a>`}</td><td><a href="${workflowLink(r.workflowId, r.runId)}">${r.workflowId}</a></td></tr>`,
  )}</tbody>
</table>
${pager(runs, (n) => `${base}/runs?page=${n}`)}`;
  return layout(`Training runs of ${model}`, [{ label: model, href: base }, { label: 'runs' }], body);
}

/** Durations as points, the norm as a line, and the over-norm cancellations again as their own red series. */
function runsChart(runs: RunRow[]): ChartSpec {
  const oldestFirst = [...runs].reverse();
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    x: oldestFirst.map((r) => epochSeconds(r.finishedAt)),
    xLabel: 'finished at',
    yLabel: 'seconds',
    series: [
      { label: 'duration', values: oldestFirst.map((r) => (r.outcome === OVER_NORM ? null : seconds(r.durationMs))), style: 'points', color: COLORS.line },
      { label: 'norm', values: oldestFirst.map((r) => seconds(r.normMs)), style: 'line', color: COLORS.muted },
      { label: 'cancelled over norm', values: oldestFirst.map((r) => (r.outcome === OVER_NORM ? seconds(r.durationMs) : null)), style: 'points', color: COLORS.alarm },
    ],
  };
}
