import type { SnapshotValidation } from '../db/dashboard/data-queries';
import { formatTime } from './format';
import { html, type SafeHtml } from './html';

/** A snapshot's validations, newest first: every check with what was expected and what was seen. */
export function validationSection(validations: SnapshotValidation[]): SafeHtml {
  if (validations.length === 0) return html`<p class="empty">Not validated by any run yet.</p>`;
  return html`${validations.map(
    (v) => html`<div class="validation ${v.passed ? 'passed' : 'failed'}">
<p><span class="verdict ${v.passed ? 'ok' : 'fail'}">${v.passed ? 'passed' : 'failed'}</span> for ${v.pipeline}, ${formatTime(v.at)}</p>
<div class="scroll"><table class="checks"><thead><tr><th>check</th><th>outcome</th><th>expected</th><th>observed</th></tr></thead>
<tbody>${v.checks.map((c) => html`<tr class="${c.outcome}"><td>${c.check}${c.column === undefined ? '' : ` (${c.column})`}</td><td><span class="verdict ${c.outcome === 'pass' ? 'ok' : c.outcome}">${c.outcome}</span></td><td>${c.expected}</td><td>${c.observed}</td></tr>`)}</tbody></table></div>
</div>`,
  )}`;
}
