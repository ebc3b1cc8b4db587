import type { FastifyInstance, FastifyReply } from 'fastify';
import { snapshotPage, snapshotsPage } from '../../lib/dashboard/data-page';
import { driftListPage, driftReportPage } from '../../lib/dashboard/drift-page';
import { experimentPage } from '../../lib/dashboard/experiment-page';
import type { SafeHtml } from '../../lib/dashboard/html';
import { lineagePage } from '../../lib/dashboard/lineage-page';
import { modelPage } from '../../lib/dashboard/model-page';
import { overviewPage } from '../../lib/dashboard/overview-page';
import { NO_INFO } from '../../lib/dashboard/pipeline-info';
import { runsPage } from '../../lib/dashboard/runs-page';
import { overlappingAnnotations } from '../../lib/db/annotations';
import { listWaitingApprovals } from '../../lib/db/approvals';
import { quarantinePage, snapshotsPage as loadSnapshots, snapshotValidations } from '../../lib/db/dashboard/data-queries';
import { columnScoreTrend, driftReportsPage } from '../../lib/db/dashboard/drift-queries';
import { auditPage, championHistory, pipelineOfModel, versionSeries, versionsPage } from '../../lib/db/dashboard/model-queries';
import { loadOverview, loadUndeliveredAlerts } from '../../lib/db/dashboard/overview-queries';
import { runsPage as loadRuns } from '../../lib/db/dashboard/runs-queries';
import { loadServingPanel } from '../../lib/db/dashboard/serving-queries';
import { findDriftReport } from '../../lib/db/drift-reports';
import { experimentCells, getExperiment, pipelineExperiments } from '../../lib/db/experiments';
import { loadLineage } from '../../lib/db/lineage';
import { getSnapshot, snapshotPipelines } from '../../lib/db/snapshots';
import { workflowUiLink } from '../../scripts/support/temporal-client';
import { DriftReportParams, HttpError, ModelParams, ModelQuery, PageQuery, parseRequest, PipelineParams, SnapshotParams, VersionParams } from './http-params';
import { loadPipelineInfo, loadSnapshotInfo, loadSpecIfAny } from './pipeline-info';
import { nextRuns } from './schedules';
import type { DashboardDeps } from './server';

export function sendPage(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.status(status).header('content-type', 'text/html; charset=utf-8').send(page.value);
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HttpError(404, `${what} does not exist.`);
  return value;
}

/** The read-only pages: every parameter parsed with zod, every list paginated. */
export function registerPages(app: FastifyInstance, deps: DashboardDeps): void {
  const { pool } = deps;
  const workflowLink = (workflowId: string, runId?: string) => workflowUiLink(deps.config, workflowId, runId);
  const modelInfo = async (model: string) => {
    const pipeline = await pipelineOfModel(pool, model);
    return pipeline === undefined ? NO_INFO : loadPipelineInfo(deps, pipeline);
  };

  app.get('/', async (request, reply) => {
    const { page } = parseRequest(PageQuery, request.query);
    const [models, undelivered] = await Promise.all([loadOverview(pool, { page }), loadUndeliveredAlerts(pool)]);
    const pipelines = [...new Set(models.items.map((m) => m.pipeline))];
    const [next, infos] = await Promise.all([nextRuns(deps.temporal, pipelines), Promise.all(pipelines.map(async (p) => [p, await loadPipelineInfo(deps, p)] as const))]);
    return sendPage(reply, overviewPage(models, next, undelivered, new Map(infos)));
  });

  app.get('/models/:model', async (request, reply) => {
    const { model } = parseRequest(ModelParams, request.params);
    const { page, auditPage: auditPageNumber } = parseRequest(ModelQuery, request.query);
    const [overview, series, versions, champions, audit, approvals] = await Promise.all([
      loadOverview(pool, { model }),
      versionSeries(pool, model),
      versionsPage(pool, model, page),
      championHistory(pool, model),
      auditPage(pool, model, auditPageNumber),
      listWaitingApprovals(pool, model),
    ]);
    const summary = found(overview.items[0], `Model "${model}"`);
    const [info, experiments, serving] = await Promise.all([
      loadPipelineInfo(deps, summary.pipeline),
      pipelineExperiments(pool, summary.pipeline),
      loadSpecIfAny(deps, summary.pipeline).then((spec) => loadServingPanel(pool, model, summary.pipeline, spec)),
    ]);
    return sendPage(reply, modelPage({ overview: summary, series, versions, champions, audit, approvals, info, experiments, serving }));
  });

  app.get('/models/:model/versions/:version', async (request, reply) => {
    const { model, version } = parseRequest(VersionParams, request.params);
    const lineage = found(await loadLineage(pool, model, version), `Version ${version} of "${model}"`);
    return sendPage(reply, lineagePage(lineage, workflowLink, await modelInfo(model)));
  });

  app.get('/models/:model/runs', async (request, reply) => {
    const { model } = parseRequest(ModelParams, request.params);
    const { page } = parseRequest(PageQuery, request.query);
    const [runs, info] = await Promise.all([loadRuns(pool, model, page), modelInfo(model)]);
    return sendPage(reply, runsPage(model, runs, workflowLink, info));
  });

  app.get('/experiments/:id', async (request, reply) => {
    const { id } = parseRequest(SnapshotParams, request.params);
    const experiment = found(await getExperiment(pool, id), `Experiment #${id}`);
    const cells = await experimentCells(pool, id);
    return sendPage(reply, experimentPage(experiment, cells, workflowLink(experiment.workflowId)));
  });

  app.get('/pipelines/:pipeline/drift', async (request, reply) => {
    const { pipeline } = parseRequest(PipelineParams, request.params);
    const { page } = parseRequest(PageQuery, request.query);
    const [reports, trend, info] = await Promise.all([driftReportsPage(pool, pipeline, page), columnScoreTrend(pool, pipeline), loadPipelineInfo(deps, pipeline)]);
    return sendPage(reply, driftListPage(pipeline, reports, trend, info));
  });

  app.get('/pipelines/:pipeline/drift/:id', async (request, reply) => {
    const { pipeline, id } = parseRequest(DriftReportParams, request.params);
    const report = found(await findDriftReport(pool, pipeline, id), `Drift report #${id} of "${pipeline}"`);
    const [annotations, info, validations] = await Promise.all([
      overlappingAnnotations(pool, pipeline, report.check.window),
      loadPipelineInfo(deps, pipeline),
      report.currentSnapshotId === null ? [] : snapshotValidations(pool, report.currentSnapshotId),
    ]);
    return sendPage(reply, driftReportPage(report, annotations, info, validations));
  });

  app.get('/pipelines/:pipeline/data', async (request, reply) => {
    const { pipeline } = parseRequest(PipelineParams, request.params);
    const { page } = parseRequest(PageQuery, request.query);
    const [snapshots, info] = await Promise.all([loadSnapshots(pool, pipeline, page), loadPipelineInfo(deps, pipeline)]);
    return sendPage(reply, snapshotsPage(pipeline, snapshots, info));
  });

  app.get('/snapshots/:id', async (request, reply) => {
    const { id } = parseRequest(SnapshotParams, request.params);
    const { page } = parseRequest(PageQuery, request.query);
    const snapshot = found(await getSnapshot(pool, id).catch(() => undefined), `Snapshot #${id}`);
    const [quarantined, validations, info] = await Promise.all([
      quarantinePage(pool, id, page),
      snapshotValidations(pool, id),
      snapshotPipelines(pool, id).then((pipelines) => loadSnapshotInfo(deps, snapshot.pipeline, pipelines ?? [])),
    ]);
    return sendPage(reply, snapshotPage(snapshot, quarantined, validations, info));
  });
}
