import type { ExperimentRecord } from '../db/experiments';
import type { WaitingApproval } from '../db/approvals';
import type { AuditRow, ChampionPeriod, VersionPoint, VersionRow } from '../db/dashboard/model-queries';
import type { ModelOverview } from '../db/dashboard/overview-queries';
import type { ServingPanel, VolumePoint } from '../db/dashboard/serving-queries';
import type { LiveAccuracy } from '../serving/live-accuracy';
import { estimateText } from '../serving/serving-check';
import type { Page } from '../db/dashboard/page';
import { rollbackForm } from './action-forms';
import { approvalsSection } from './approval-box';
import { chartFigure, COLORS, epochSeconds, type ChartSpec } from './charts';
import { describeDecision } from './decision';
import type { BaselineSummary } from '../evaluation/baselines';
import { describeAt, describeBaselines, metricLabel } from '../evaluation/format';
import { higherIsBetter, type Metrics } from '../model/metrics';
import type { Metric } from '../spec/pipeline-spec';
import { chartValue, formatMetrics, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';
import { pipelineDescription, unitOf, type PipelineInfo } from './pipeline-info';

export interface ModelPageData {
  overview: ModelOverview;
  series: VersionPoint[];
  versions: Page<VersionRow>;
  champions: ChampionPeriod[];
  audit: Page<AuditRow>;
  /** Every run waiting for a person on this model, oldest first. */
  approvals: WaitingApproval[];
  /** What the pipeline's spec says it is for. */
  info: PipelineInfo;
  /** The pipeline's experiments, newest first (absent: none asked for). */
  experiments?: ExperimentRecord[];
  /** The model at work: predictions logged, live accuracy, the latest serving check (absent: not loaded). */
  serving?: ServingPanel;
}

export function modelPage(d: ModelPageData): SafeHtml {
  const { overview: m } = d;
  const base = `/models/${segment(m.model)}`;
  const chart = versionsChart(d.series, d.info.target ? unitOf(d.info, d.info.target) : undefined);
  const body = html`${pipelineDescription(d.info)}<p class="summary">Pipeline <strong>${m.pipeline}</strong> ·
champion ${m.champion ? html`<a href="${base}/versions/${m.champion.version}">v${m.champion.version}</a> (${formatMetrics(m.champion.metrics)})` : 'none yet'} ·
<a href="${base}/runs">training runs</a> · <a href="/pipelines/${segment(m.pipeline)}/drift">drift reports</a> · <a href="/pipelines/${segment(m.pipeline)}/data">data</a></p>
${approvalsSection(d.approvals)}
${d.serving ? servingSection(m.pipeline, m.champion?.version, d.serving) : ''}
<h2>Versions over time</h2>
${chartFigure('versions-chart', chart.spec, chart.caption)}
<h2>Versions</h2>
${versionsTable(base, d.versions)}
${pager(d.versions, (n) => `${base}?page=${n}`)}
<h2>Champion history</h2>
${championTable(d.champions)}
<h2 id="decisions">Decisions</h2>
${auditTable(d.audit)}
${pager(d.audit, (n) => `${base}?page=${d.versions.page}&auditPage=${n}`)}
${experimentsSection(d.experiments ?? [])}
${rollbackForm(m.model, m.champion?.version)}`;
  return layout(m.model, [{ label: m.pipeline }, { label: m.model }], body);
}

/**
 * The model at work: the version in service, predictions logged per day, live accuracy once
 * actuals arrive, the performance estimated from the served outputs (labelled *estimated*) beside
 * the realised value, and the latest serving-drift report.
 */
function servingSection(pipeline: string, champion: number | undefined, s: ServingPanel): SafeHtml {
  const latest = s.latest;
  const estimate = latest?.served.estimate;
  const report = latest && `/pipelines/${segment(pipeline)}/drift/${latest.id}`;
  return html`<h2 id="serving">In service</h2>
<dl class="serving">
<dt>version in service</dt><dd>${champion === undefined ? 'none: nothing to serve yet' : html`v${champion} (the champion; driftline serve reloads it when the alias moves)`}</dd>
<dt>live accuracy</dt><dd>${describeLive(s.live)}</dd>
<dt>estimated performance</dt><dd>${estimate ? html`<em>${estimateText(estimate)}</em>${estimate.alert ? html` <span class="verdict warn">beyond thresholds</span>` : ''}${estimate.realised ? html`; realised ${estimate.realised.value.toPrecision(4)} on the ${estimate.realised.rows} served predictions with actuals (estimated ${estimate.realised.estimatedOnSameRows.toPrecision(4)} for the same rows)` : '; no actuals yet to compare'}` : 'no serving check has estimated it yet'}</dd>
<dt>latest serving drift</dt><dd>${latest && report ? html`<a href="${report}"><span class="verdict ${latest.verdict}">${latest.verdict}</span> report #${latest.id}</a>, ${formatTime(latest.createdAt)}: ${latest.reasons.join('; ')}` : 'no serving check yet (monitorServing, or the monitor before each check)'}</dd>
</dl>
${s.volume.length === 0 ? html`<p class="empty">No prediction logged in the last 30 days.</p>` : volumeChart(s.volume)}`;
}

/** "log_loss 0.21 on 100 of 222 outcomes (promoted at 0.05): no decay" */
function describeLive(live: LiveAccuracy | undefined): string {
  if (!live) return 'no champion yet';
  const { decay } = live;
  if (!decay) return `v${live.version}: no actuals joined to its predictions yet`;
  const verdict = decay.insufficient ? `too few to judge (${decay.minExamples} needed)` : decay.decayed ? 'DECAYED' : 'no decay';
  const accuracy = live.metrics?.accuracy === undefined ? '' : `accuracy ${live.metrics.accuracy.toFixed(3)}, `;
  return `v${live.version}: ${accuracy}${decay.metric} ${decay.current.toPrecision(4)} on ${live.examples} of ${live.available} outcomes (promoted at ${decay.promoted.toPrecision(4)}): ${verdict}`;
}

/** Predictions per day, a bar series per version. */
function volumeChart(volume: VolumePoint[]): SafeHtml {
  const days = [...new Set(volume.map((v) => v.day))];
  const versions = [...new Set(volume.map((v) => v.version))].sort((a, b) => a - b);
  const colors = [COLORS.line, COLORS.second, COLORS.reference, COLORS.current, COLORS.muted];
  const spec: ChartSpec = {
    x: days.map((day) => epochSeconds(`${day}T00:00:00Z`)),
    xLabel: 'day (UTC)',
    yLabel: 'predictions',
    series: versions.map((version, i) => ({
      label: `v${version}`,
      values: days.map((day) => volume.find((v) => v.day === day && v.version === version)?.predictions ?? null),
      style: 'bars' as const,
      color: colors[i % colors.length] as string,
    })),
  };
  const total = volume.reduce((sum, v) => sum + v.predictions, 0);
  return chartFigure('volume-chart', spec, `Predictions logged per day (batch and online) over the last 30 days, by the version that made them: ${total} in all.`);
}

/** Links to the pipeline's designed experiments (lib/dashboard/experiment-page.ts); nothing when there are none. */
function experimentsSection(experiments: ExperimentRecord[]): SafeHtml | string {
  if (experiments.length === 0) return '';
  return html`<h2>Experiments</h2><ul>${experiments.map((e) => html`<li><a href="/experiments/${segment(e.id)}">${e.name} #${e.id}</a>: ${e.status}, ${e.cellCount} cells, started ${e.startedAt} by ${e.requestedBy}</li>`)}</ul>`;
}

/** Past this many holdouts, a line per holdout says less than points alone. */
const MAX_HOLDOUT_LINES = 5;
const HOLDOUT_COLORS = [COLORS.line, COLORS.second, COLORS.reference, COLORS.current, '#1b9e77'];

/** "from 2013-01-01, 36 examples": a holdout as the chart names it. */
function holdoutName(holdout: VersionPoint['holdout']): string {
  if (!holdout) return 'not evaluated';
  return `from ${describeAt(holdout.start)}${holdout.examples === null ? '' : `, ${holdout.examples} examples`}`;
}

/**
 * Versions scored on different holdouts are different measurements: a line joins only versions
 * that share one, each holdout its own series and legend entry. With many holdouts (data that
 * grows each run), every version is a point of its own, never joined.
 */
function versionsChart(series: VersionPoint[], unit: string | undefined): { spec: ChartSpec; caption: string } {
  const holdouts = [...new Set(series.map((p) => holdoutName(p.holdout)))];
  // The primary metric the newest evaluation decided on (a classifier has no RMSE); RMSE before any.
  const metric: Metric = [...series].reverse().find((p) => p.baselines)?.baselines?.metric ?? 'rmse';
  const name = metricLabel(metric);
  const inUnits = metric === 'rmse' || metric === 'mae';
  const rmse = (p: VersionPoint) => chartValue(typeof p.metrics[metric] === 'number' ? p.metrics[metric] : null);
  const scored: ChartSpec['series'] =
    holdouts.length <= MAX_HOLDOUT_LINES
      ? holdouts.map((holdout, i) => ({
          label: `${name}, holdout ${holdout}`,
          values: series.map((p) => (holdoutName(p.holdout) === holdout ? rmse(p) : null)),
          style: 'line' as const,
          color: HOLDOUT_COLORS[i % HOLDOUT_COLORS.length] as string,
        }))
      : [{ label: `${name}, each on its own holdout`, values: series.map(rmse), style: 'points' as const, color: COLORS.line }];
  const spec: ChartSpec = {
    x: series.map((p) => epochSeconds(p.createdAt)),
    xLabel: 'trained at',
    yLabel: unit && inUnits ? `${name} (${unit})` : name,
    series: [...scored, { label: `best naive baseline ${name}, same holdout`, values: series.map((p) => chartValue(bestBaseline(p.baselines)?.[metric])), style: 'points', color: COLORS.muted }],
  };
  const across =
    holdouts.length === 1
      ? `all on one holdout (${holdouts[0]})`
      : `on ${holdouts.length} different holdouts: versions are joined by a line only where they share one, since scores on different holdouts do not compare`;
  const caption = `Holdout ${name} of the ${series.length} most recent versions (${higherIsBetter(metric) ? 'higher' : 'lower'} is better), each scored before its refit, ${across}; grey points: the best naive baseline on each version's holdout.`;
  return { spec, caption };
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
<tbody>${audit.items.map((a) => auditRow(a))}</tbody>
</table>`;
}

function auditRow(a: AuditRow): SafeHtml {
  const d = describeDecision(a);
  return html`<tr class="action-${d.kind}"><td>${formatTime(a.at)}</td><td>${d.action}</td><td>${a.version === null ? '–' : `v${a.version}`}${d.kept ? ' not promoted' : ''}</td><td>${d.who}</td><td>${a.reason}</td></tr>`;
}
