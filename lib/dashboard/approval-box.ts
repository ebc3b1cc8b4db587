import type { ApprovalEvidence, WaitingApproval } from '../db/approvals';
import { skillScore } from '../evaluation/baselines';
import type { ChampionComparison } from '../evaluation/champion-comparison';
import { formatMetric, skillText } from '../evaluation/format';
import { describeGates } from '../evaluation/gates';
import { metricOf, type Metrics } from '../model/metrics';
import { approvalForms, supersedeForm } from './action-forms';
import { formatTime } from './format';
import { html, type SafeHtml } from './html';
import { segment } from './layout';

const METRICS: [keyof Metrics, string][] = [['rmse', 'RMSE'], ['mae', 'MAE'], ['r2', 'R²'], ['smape', 'sMAPE']];

/**
 * Every run waiting for a person on one model, oldest first, each with its deadline, its evidence
 * and its forms. An older run can be superseded by the newest one: it then ends, rejected as such.
 */
export function approvalsSection(waiting: WaitingApproval[]): SafeHtml {
  if (waiting.length === 0) return html``;
  const newest = waiting.reduce((a, b) => (b.version > a.version ? b : a));
  return html`<section class="pending" id="approvals">
<h2>Awaiting approval (${waiting.length})</h2>
${waiting.map((w) => approvalBox(w, w === newest ? undefined : newest))}
</section>`;
}

function approvalBox(w: WaitingApproval, newer: WaitingApproval | undefined): SafeHtml {
  return html`<article class="approval" data-workflow-id="${w.workflowId}" data-version="${w.version}">
<h3>Version ${w.version}</h3>
<p class="deadline">Run <code>${w.workflowId}</code> asked ${formatTime(w.requestedAt)}; ${w.deadline ? html`decide by <time datetime="${w.deadline.toISOString()}">${formatTime(w.deadline)}</time>, then it is rejected` : 'its deadline was not recorded'}.</p>
${w.evidence ? evidence(w, w.evidence) : html`<p class="empty">The run's evaluation is not recorded.</p>`}
${driftLine(w)}
${approvalForms(w.workflowId, w.version)}
${newer ? html`<p class="newer">Version ${newer.version} (run <code>${newer.workflowId}</code>) waits too: it can replace this one.</p>
${supersedeForm(w.workflowId, w.version, newer)}` : ''}
</article>`;
}

/** Candidate, champion and naive baselines side by side on the candidate's holdout; then the gates and the garbage-data tests. */
function evidence(w: WaitingApproval, e: ApprovalEvidence): SafeHtml {
  const b = e.baselines;
  const best = b?.scores.find((s) => s.name === b.best)?.metrics;
  const skill = (m: Metrics | undefined) => (b && best && m ? skillText(b.metric, skillScore(b.metric, metricOf(m, b.metric), metricOf(best, b.metric))) : '–');
  const row = (cls: string, label: SafeHtml | string, m: Metrics | undefined, skillCell: string) =>
    html`<tr class="${cls}"><th>${label}</th>${METRICS.map(([key]) => html`<td>${m && typeof m[key] === 'number' ? formatMetric(m[key]) : '–'}</td>`)}<td>${skillCell}</td></tr>`;
  const tests = e.modelTests;
  const failed = tests.filter((t) => !t.passed);
  return html`<div class="scroll"><table class="evidence">
<caption>On ${e.holdoutExamples} held-out examples${b ? html`; skill against the best naive baseline (${b.best}) on ${b.metric}` : ''}</caption>
<thead><tr><th></th>${METRICS.map(([, label]) => html`<th>${label}</th>`)}<th>skill</th></tr></thead>
<tbody>
${row('candidate', `candidate v${w.version}`, e.candidate, skill(e.candidate))}
${championRow(e.champion, row, skill)}
${(b?.scores ?? []).map((s) => row(`baseline${s.name === b?.best ? ' best' : ''}`, `naive: ${s.name}`, s.metrics, s.name === b?.best ? 'reference' : skill(s.metrics)))}
</tbody></table></div>
<h4>Gates</h4>
<ul class="gates">${e.gates.map((g) => html`<li class="${g.passed ? 'pass' : 'fail'}" data-gate="${g.gate}">${describeGates([g])}</li>`)}</ul>
<h4>Garbage-data tests</h4>
<details class="model-tests"><summary>${tests.length - failed.length} of ${tests.length} passed${failed.length > 0 ? `; failed: ${failed.map((t) => t.name).join(', ')}` : ''}</summary>
<ul>${tests.map((t) => html`<li class="${t.passed ? 'pass' : 'fail'}">${t.name}: ${t.behaviour} (${t.detail})</li>`)}</ul>
</details>`;
}

type Row = (cls: string, label: string, m: Metrics | undefined, skillCell: string) => SafeHtml;

/** The champion of the time: scored on the same examples, or why it was not scored. */
function championRow(c: ChampionComparison | null, row: Row, skill: (m: Metrics | undefined) => string): SafeHtml {
  if (!c) return row('champion', 'champion: none yet', undefined, '–');
  if (c.kind === 'scored') {
    const basis = `champion v${c.version}${c.newerOnly ? `, on the ${c.examples} newer examples` : ''}`;
    return row('champion', basis, c.champion, skill(c.champion));
  }
  const why = c.kind === 'refresh' ? 'not scored: the candidate is its configuration on newer data' : 'not scored: same configuration, same data';
  return row('champion', `champion v${c.version} (${why})`, undefined, '–');
}

/** The drift check of the same run, linked to its report: what made the run retrain. */
function driftLine(w: WaitingApproval): SafeHtml {
  if (!w.drift) return html`<p class="drift">No drift check recorded for this run (the model had no champion to compare with).</p>`;
  const href = `/pipelines/${segment(w.pipeline)}/drift/${w.drift.reportId}`;
  return html`<p class="drift">Drift check of this run: <a class="verdict ${w.drift.verdict}" href="${href}">${w.drift.verdict}</a> (report #${w.drift.reportId})${w.drift.reasons.length > 0 ? `: ${w.drift.reasons.join('; ')}` : ''}</p>`;
}

