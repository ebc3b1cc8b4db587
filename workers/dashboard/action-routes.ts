import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { segment } from '../../lib/dashboard/layout';
import { messagePage } from '../../lib/dashboard/message-page';
import { acknowledgeDrift } from '../../lib/db/acknowledgements';
import { insertAnnotation } from '../../lib/db/annotations';
import { AnnotationInput } from '../../lib/drift/annotation';
import { Person } from '../../lib/people/person';
import { rollbackChampion } from '../../lib/promotion/rollback';
import { sendApproval, supersedeApproval, type ApprovalKind } from '../../scripts/support/approval';
import { ApprovalDecision } from '../../workflows/approval-input';
import { MAX_NAME_LENGTH, NO_NUL, PipelineName } from '../../workflows/pipeline-input';
import { authorize } from './authorize';
import { parseRequest } from './http-params';
import { sendPage } from './page-routes';
import type { DashboardDeps } from './server';

const Who = { by: Person };
// Not strict like the workflow's input: the form carries the token too.
const WorkflowId = z.string().min(1).max(1000);
const ApprovalBody = z.object({ ...ApprovalDecision.shape, workflowId: WorkflowId });
const SupersedeBody = z.object({ ...ApprovalDecision.shape, workflowId: WorkflowId, supersededBy: WorkflowId });
const RollbackBody = z.object({
  ...Who,
  model: z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL),
  // An empty field means "the previous champion", as leaving out --to-version does.
  toVersion: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  // The champion the page showed: the rollback is refused if another was promoted since.
  expectedChampion: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  reason: z.string().trim().min(1, { message: 'says why' }).max(2000).refine(...NO_NUL),
});
const AcknowledgeBody = z.object({
  ...Who,
  pipeline: PipelineName,
  driftReportId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  note: z.string().trim().max(2000).refine(...NO_NUL).default(''),
});
// The form's `by` is the annotation's author, as `driftline annotate --by` is. Its token was checked
// already and is no field of the annotation, which refuses keys it does not know.
const AnnotateBody = z.preprocess(withoutToken, AnnotationInput.safeExtend({ pipeline: PipelineName }));

/**
 * The actions that change things, each behind the token and through the same function the CLI
 * calls: the workflow Update for approvals and supersessions, rollbackChampion, insertAnnotation. The token is
 * checked before the body is read for anything else.
 */
export function registerActions(app: FastifyInstance, deps: DashboardDeps): void {
  const guard = { preHandler: async (request: Parameters<typeof authorize>[0]) => authorize(request, deps.config.DRIFTLINE_DASHBOARD_TOKEN) };

  for (const kind of ['approve', 'reject'] as const satisfies ApprovalKind[]) {
    app.post(`/actions/${kind}`, guard, async (request, reply) => {
      const { workflowId, by, reason } = parseRequest(ApprovalBody, request.body);
      const receipt = await sendApproval(await deps.temporal(), workflowId, kind, { by, reason });
      return sendPage(reply, messagePage(kind === 'approve' ? 'Approved' : 'Rejected', `Version id ${receipt.versionId}: ${kind === 'approve' ? 'approved' : 'rejected'} by ${by}. The run carries on from here.`, { label: 'Overview', href: '/' }));
    });
  }

  app.post('/actions/supersede', guard, async (request, reply) => {
    const { workflowId, supersededBy, by, reason } = parseRequest(SupersedeBody, request.body);
    const receipt = await supersedeApproval(await deps.temporal(), workflowId, supersededBy, { by, reason });
    const text = `Version id ${receipt.versionId} superseded by version ${receipt.supersededBy.version} (run ${supersededBy}), by ${by}: the older run ends, its candidate rejected.`;
    return sendPage(reply, messagePage('Superseded', text, { label: 'Overview', href: '/' }));
  });

  app.post('/actions/rollback', guard, async (request, reply) => {
    const body = parseRequest(RollbackBody, request.body);
    const result = await rollbackChampion(deps.pool, body);
    const text = result.changed ? `Champion of ${result.model} is now version ${result.version}.` : `Version ${result.version} already is champion of ${result.model}; nothing changed.`;
    return sendPage(reply, messagePage('Rolled back', text, { label: result.model, href: `/models/${segment(result.model)}` }));
  });

  app.post('/actions/acknowledge', guard, async (request, reply) => {
    const body = parseRequest(AcknowledgeBody, request.body);
    const ack = await acknowledgeDrift(deps.pool, body);
    const text = `Drift checks of ${ack.pipeline} up to report #${ack.driftReportId} acknowledged by ${ack.by}: the overview now counts only later checks.`;
    return sendPage(reply, messagePage('Acknowledged', text, { label: 'Overview', href: '/' }));
  });

  app.post('/actions/annotate', guard, async (request, reply) => {
    const { pipeline, ...annotation } = parseRequest(AnnotateBody, request.body ?? {});
    const stored = await insertAnnotation(deps.pool, pipeline, annotation);
    return sendPage(reply, messagePage('Annotated', `Annotation #${stored.id} "${stored.label}" on ${stored.pipeline}.`, { label: 'Drift reports', href: `/pipelines/${segment(pipeline)}/drift` }));
  });
}

function withoutToken(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const fields = { ...(body as Record<string, unknown>) };
  delete fields.token;
  return fields;
}
