import type { Lineage } from '../db/lineage';
import type { ClassReport } from '../evaluation/class-report';
import type { VersionFits } from '../db/model-registry';
import { describeBaselines, describeFit } from '../evaluation/format';
import { describeGates, type GateResult } from '../evaluation/gates';
import { describeDecision } from './decision';
import { formatDuration, formatMetrics, formatNumber, formatTime } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pipelineDescription, type PipelineInfo } from './pipeline-info';

/** A version down to its data: the runs, snapshots, evaluations and decisions loadLineage gathers. */
export function lineagePage(l: Lineage, workflowLink: (workflowId: string, runId?: string) => string, info: PipelineInfo): SafeHtml {
  const v = l.version;
  const model = `/models/${segment(v.model)}`;
  const body = html`${pipelineDescription(info)}<dl class="facts">
<dt>aliases</dt><dd>${l.aliases.length > 0 ? l.aliases.join(', ') : 'none'}</dd>
<dt>trained</dt><dd>${formatTime(v.createdAt)} with ${v.trainer}</dd>
<dt>parameters</dt><dd><code>${JSON.stringify(v.params)}</code></dd>
<dt>features</dt><dd>${v.features.join(', ')}</dd>
${fitFacts(v.fits)}
<dt>holdout metrics</dt><dd>${formatMetrics(v.metrics)}${v.fits?.refit ? ' (the evaluated fit, before the refit)' : ''}</dd>
<dt>code</dt><dd><code>${v.codeVersion}</code>${v.trainerDigest ? html` · trainer <code>${v.trainerDigest.slice(0, 12)}</code>` : ''}</dd>
<dt>artifact</dt><dd><code>${v.artifactDigest.slice(0, 16)}…</code></dd>
</dl>
<h2>Training runs</h2>
<table><thead><tr><th>run</th><th>outcome</th><th>duration</th><th>norm</th><th>finished</th></tr></thead>
<tbody>${l.trainingRuns.map((r) => html`<tr><td><a href="${workflowLink(r.workflowId, r.runId)}">${r.workflowId}</a></td><td>${r.outcome}</td><td>${formatDuration(r.durationMs)}</td><td>${formatDuration(r.normMs)}</td><td>${formatTime(r.finishedAt)}</td></tr>`)}</tbody></table>
<h2>Data snapshots</h2>
<table><thead><tr><th>snapshot</th><th>digest</th><th>source</th><th>rows</th><th>quarantined</th><th>fetched</th></tr></thead>
<tbody>${l.snapshots.map((s) => html`<tr><td><a href="/snapshots/${s.id}">#${s.id}</a></td><td><code>${s.digest.slice(0, 12)}…</code></td><td><code>${JSON.stringify(s.source)}</code></td><td>${s.rowCount}</td><td>${s.quarantinedCount}</td><td>${formatTime(s.fetchedAt)}</td></tr>`)}</tbody></table>
<h2>Evaluations</h2>
<table><thead><tr><th>run</th><th>passed</th><th>metrics</th><th>naive baselines</th><th>gates</th></tr></thead>
<tbody>${l.evaluations.map(
    (e) => html`<tr class="${e.passed ? 'passed' : 'kept'}"><td><a href="${workflowLink(e.workflowId)}">${e.workflowId}</a></td><td>${e.passed ? 'yes' : 'no: the champion was kept'}</td>
<td>${formatMetrics(e.metrics)}${e.metricsBasis ? html`<div class="basis">${e.metricsBasis}</div>` : ''}</td>
<td>${e.baselines ? describeBaselines(e.baselines) : '–'}</td><td>${gateList(e.gates)}</td></tr>`,
  )}</tbody></table>
${classSection(l.evaluations.at(-1)?.classReport ?? null)}
<h2>Decisions</h2>
<table><thead><tr><th>when</th><th>action</th><th>who</th><th>why</th></tr></thead>
<tbody>${l.decisions.map((d) => decisionRow(d))}</tbody></table>`;
  return layout(`${v.model} v${v.version}`, [{ label: v.model, href: model }, { label: `v${v.version}` }], body);
}

/** A classifier's newest evaluation by class: the confusion matrix and each class's precision, recall and F1. */
function classSection(report: ClassReport | null): SafeHtml | string {
  if (!report) return '';
  const { classes, confusion, perClass } = report;
  const cells = (row: number[], k: number) => row.map((count, j) => html`<td class="${j === k ? 'diagonal' : ''}">${count}</td>`);
  return html`<h2>Holdout by class</h2>
<table class="confusion"><thead><tr><th>actual ↓ predicted →</th>${classes.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>${confusion.map((row, k) => html`<tr data-class="${classes[k] ?? ''}"><th>${classes[k] ?? ''}</th>${cells(row, k)}</tr>`)}</tbody></table>
<table class="per-class"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>
<tbody>${perClass.map((s, k) => html`<tr><th>${classes[k] ?? ''}</th><td>${formatNumber(s.precision)}</td><td>${formatNumber(s.recall)}</td><td>${formatNumber(s.f1)}</td><td>${s.support}</td></tr>`)}</tbody></table>`;
}

function decisionRow(entry: Lineage['decisions'][number]): SafeHtml {
  const d = describeDecision(entry);
  return html`<tr class="action-${d.kind}"><td>${formatTime(entry.at)}</td><td>${d.action}</td><td>${d.who}</td><td>${entry.reason}</td></tr>`;
}

/** The fit that was scored and the refit that was registered, each with what it learned from. */
function fitFacts(fits: VersionFits | null): SafeHtml {
  if (!fits) return html``;
  if (!fits.refit) return html`<dt>fit</dt><dd>${describeFit(fits.evaluated)}: scored and registered (not refitted)</dd>`;
  return html`<dt>evaluated fit</dt><dd>${describeFit(fits.evaluated)}: scored on the holdout</dd>
<dt>refit</dt><dd>${describeFit(fits.refit)}: registered, holdout included</dd>`;
}

function gateList(gates: unknown): SafeHtml {
  const list = Array.isArray(gates) ? (gates as GateResult[]) : [];
  return html`<ul class="gates">${list.map((g) => html`<li class="${g.passed ? 'pass' : 'fail'}">${describeGates([g])}</li>`)}</ul>`;
}
