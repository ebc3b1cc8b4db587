import type { QuarantinedRow, SnapshotRow, SnapshotValidation } from '../db/dashboard/data-queries';
import type { Page } from '../db/dashboard/page';
import type { SnapshotSummary } from '../db/snapshots';
import type { ColumnProfile } from '../data/profile/column-profile';
import { formatNumber, formatTime, formatValue } from './format';
import { html, type SafeHtml } from './html';
import { layout, segment } from './layout';
import { pager } from './pager';
import { columnLabel, pipelineDescription, type PipelineInfo } from './pipeline-info';
import { validationSection } from './validation-section';

export function snapshotsPage(pipeline: string, snapshots: Page<SnapshotRow>, info: PipelineInfo): SafeHtml {
  const body =
    snapshots.items.length === 0
      ? html`<p class="empty">No data ingested yet.</p>`
      : html`<table>
<thead><tr><th>snapshot</th><th>digest</th><th>source</th><th>last ingested</th><th>rows read</th><th>accepted</th><th>quarantined</th><th>columns</th><th>validation</th></tr></thead>
<tbody>${snapshots.items.map(
          (s) => html`<tr class="${s.quarantinedCount > 0 ? 'has-quarantine' : ''}"><td><a href="/snapshots/${s.id}">#${s.id}</a></td><td><code>${s.digest.slice(0, 12)}…</code></td><td><code>${JSON.stringify(s.source)}</code></td><td>${formatTime(s.lastIngestedAt)}</td><td>${s.rowsRead}</td><td>${s.rowCount}</td><td>${s.quarantinedCount}</td><td>${s.columnCount}</td><td>${validationCell(s)}</td></tr>`,
        )}</tbody>
</table>
${pager(snapshots, (n) => `/pipelines/${segment(pipeline)}/data?page=${n}`)}`;
  return layout(`Data of ${pipeline}`, [{ label: pipeline }, { label: 'data' }], html`${pipelineDescription(info)}${body}`);
}

function validationCell(s: SnapshotRow): SafeHtml | string {
  if (s.validationPassed === null) return '–';
  return html`<a class="verdict ${s.validationPassed ? 'ok' : 'fail'}" href="/snapshots/${s.id}#validation">${s.validationPassed ? 'passed' : 'failed'}</a>`;
}

/** One snapshot: its per-column profile and the rows it refused, with the reasons. */
export function snapshotPage(s: SnapshotSummary, quarantined: Page<QuarantinedRow>, validations: SnapshotValidation[], info: PipelineInfo): SafeHtml {
  const body = html`${pipelineDescription(info)}<dl class="facts">
<dt>digest</dt><dd><code>${s.digest}</code></dd>
<dt>source</dt><dd><code>${JSON.stringify(s.source)}</code></dd>
<dt>fetched</dt><dd>${formatTime(s.fetchedAt)}</dd>
<dt>rows</dt><dd>${s.rowsRead} read, ${s.rowCount} accepted, ${s.quarantinedCount} quarantined</dd>
</dl>
<h2 id="validation">Validation</h2>
${validationSection(validations)}
<h2>Profile</h2>
${s.profile ? profileTable(s.profile, info) : html`<p class="empty">Stored before profiling existed.</p>`}
<h2>Quarantined rows</h2>
${quarantined.items.length === 0 ? html`<p class="empty">None.</p>` : html`<table class="quarantine"><thead><tr><th>line</th><th>reason</th><th>raw</th></tr></thead>
<tbody>${quarantined.items.map((q) => html`<tr><td>${q.line}</td><td>${q.reason}</td><td><code>${q.raw}</code></td></tr>`)}</tbody></table>`}
${pager(quarantined, (n) => `/snapshots/${s.id}?page=${n}`)}`;
  return layout(`Snapshot #${s.id}`, [{ label: s.pipeline, href: `/pipelines/${segment(s.pipeline)}/data` }, { label: `#${s.id}` }], body);
}

function profileTable(profile: Record<string, ColumnProfile>, info: PipelineInfo): SafeHtml {
  return html`<div class="scroll"><table class="profile"><thead><tr><th>column</th><th>type</th><th>values</th><th>nulls</th><th>summary</th></tr></thead>
<tbody>${Object.entries(profile).map(
    ([name, p]) =>
      html`<tr data-column="${name}"><td>${columnLabel(info, name)}${info.columns[name]?.description ? html`<div class="description">${info.columns[name]?.description}</div>` : ''}</td><td>${p.type}</td><td>${formatNumber(p.count)}</td><td>${formatNumber(p.nulls)}</td><td>${profileSummary(p)}</td></tr>`,
  )}</tbody></table></div>`;
}

function profileSummary(p: ColumnProfile): string {
  if (p.kind === 'numeric' && p.type === 'timestamp') return `from ${formatValue(p.min, p.type)} to ${formatValue(p.max, p.type)}`;
  if (p.kind === 'numeric') return `min ${formatNumber(p.min)} · mean ${formatNumber(p.mean)} · max ${formatNumber(p.max)} · sd ${formatNumber(p.std)}`;
  const top = p.top.slice(0, 5).map((t) => `${t.value} (${t.count})`).join(', ');
  return `${p.distinct ?? '>1024'} distinct; most frequent: ${top}`;
}
