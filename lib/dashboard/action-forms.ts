import { html, type SafeHtml } from './html';

/**
 * Forms for the actions that change things. Each carries the dashboard token in a password field:
 * the server refuses the action without it, and a token in the body (never a cookie) cannot be
 * replayed by another site's form.
 */
function actionForm(action: string, title: string, fields: SafeHtml, submit: string): SafeHtml {
  return html`<form class="action" method="post" action="/actions/${action}">
<fieldset><legend>${title}</legend>
${fields}
<label>by <input name="by" required maxlength="200"></label>
<label>reason <input name="reason" required maxlength="2000"></label>
<label>token <input name="token" type="password" autocomplete="off"></label>
<button type="submit">${submit}</button>
</fieldset>
</form>`;
}

export function approvalForms(workflowId: string, version: number): SafeHtml {
  const run = html`<input type="hidden" name="workflowId" value="${workflowId}">`;
  return html`<div class="actions">
${actionForm('approve', `Approve version ${version}`, run, 'Approve')}
${actionForm('reject', `Reject version ${version}`, run, 'Reject')}
</div>`;
}

/** Ends the older run's wait: its version is rejected as superseded by the newer run's. */
export function supersedeForm(workflowId: string, version: number, newer: { workflowId: string; version: number }): SafeHtml {
  return actionForm(
    'supersede',
    `Supersede version ${version} by version ${newer.version}`,
    html`<input type="hidden" name="workflowId" value="${workflowId}">
<input type="hidden" name="supersededBy" value="${newer.workflowId}">`,
    'Supersede',
  );
}

/** `champion`: the version the page shows, so the rollback is refused if another was promoted since. */
export function rollbackForm(model: string, champion: number | undefined): SafeHtml {
  return actionForm(
    'rollback',
    'Roll back the champion',
    html`<input type="hidden" name="model" value="${model}">
<input type="hidden" name="expectedChampion" value="${champion === undefined ? '' : String(champion)}">
<label>to version <input name="toVersion" inputmode="numeric" placeholder="the previous champion"></label>`,
    'Roll back',
  );
}

export function annotateForm(pipeline: string): SafeHtml {
  return html`<form class="action" method="post" action="/actions/annotate">
<fieldset><legend>Annotate an event</legend>
<input type="hidden" name="pipeline" value="${pipeline}">
<label>label <input name="label" required maxlength="200" placeholder="promotion campaign"></label>
<label>from <input name="from" required placeholder="2008-01-01"></label>
<label>to <input name="to" required placeholder="2008-03-31"></label>
<label>effect <select name="effect"><option>none</option><option>suppress_alerts</option><option>retrain_now</option></select></label>
<label>note <input name="note" maxlength="2000"></label>
<label>by <input name="by" required maxlength="200"></label>
<label>token <input name="token" type="password" autocomplete="off"></label>
<button type="submit">Annotate</button>
</fieldset>
</form>`;
}

/**
 * "I have seen the checks up to this one": the overview's worst verdict then counts only later
 * checks. No reason asked: the look itself is what is recorded, with who looked.
 */
export function acknowledgeForm(pipeline: string, driftReportId: number): SafeHtml {
  return html`<form class="action" method="post" action="/actions/acknowledge">
<fieldset><legend>Acknowledge the checks up to this one</legend>
<input type="hidden" name="pipeline" value="${pipeline}">
<input type="hidden" name="driftReportId" value="${String(driftReportId)}">
<label>by <input name="by" required maxlength="200"></label>
<label>note <input name="note" maxlength="2000"></label>
<label>token <input name="token" type="password" autocomplete="off"></label>
<button type="submit">Acknowledge</button>
</fieldset>
</form>`;
}
