import { html, type SafeHtml } from './html';

/** The actor the pipeline records for its own decisions (workflows/pipeline.ts). */
const SYSTEM_ACTOR = 'driftline';

/**
 * An audit entry as a person reads it. Driftline refusing a candidate is the pipeline keeping its
 * champion, an ordinary outcome: shown as such, not as a rejection by someone called "driftline".
 * A person's rejection keeps its name.
 */
export function describeDecision(d: { action: string; actor: string }): { kind: string; action: string; who: SafeHtml | string; kept: boolean } {
  const kept = d.action === 'reject' && d.actor === SYSTEM_ACTOR;
  return kept
    ? { kind: 'kept', action: 'kept the champion', who: html`<span class="muted">automatic</span>`, kept }
    : { kind: d.action, action: d.action, who: d.actor, kept };
}
