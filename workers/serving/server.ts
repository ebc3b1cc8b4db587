import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { PredictionRow } from '../../lib/db/predictions';
import type { Row } from '../../lib/data/typed-row';
import { DriftlineError } from '../../lib/errors';
import { lookbackOf } from '../../lib/model/features';
import { predictedClasses } from '../../lib/model/metrics';
import { modelInputs, rowInputDigests } from '../../lib/serving/input-digest';
import { describeInput, parseRows, RequestRows } from '../../lib/serving/input-schema';
import type { PredictionLog } from '../../lib/serving/prediction-log';
import { requestFeatures, rowKeyOf } from '../../lib/serving/request-features';
import type { ServeMetrics } from '../../lib/serving/serve-metrics';
import { predictAnyWith } from '../../activities/training/predict';
import { bearerToken, sameToken } from '../dashboard/authorize';
import { HttpError, ModelParams, parseRequest } from '../dashboard/http-params';
import type { Champions, ServedVersion } from './champions';

export interface ServingLimits {
  /** Largest request body, in bytes. */
  bodyBytes: number;
  /** Most rows in one request: bigger batches belong to `driftline score`, off the request path. */
  rows: number;
}

export interface ServingDeps {
  champions: Champions;
  /** Undefined when logging is off (benchmarks only). */
  log: PredictionLog | undefined;
  metrics: ServeMetrics;
  limits: ServingLimits;
  /** Required as a bearer token on every endpoint but /healthz when set. */
  token: string | undefined;
  logError: (line: string) => void;
}

/** A prediction request that takes longer than this (a command trainer that hangs) is answered 503. */
const PREDICT_TIMEOUT_MS = 30_000;

/** One answered row: a regressor's number, or a classifier's class and its probabilities. */
type Answer = { row: number; predictionId: string; rowKey: string } & (
  | { prediction: number }
  | { class: string; probabilities: Record<string, number> }
);

/** The prediction endpoints; fastify's own request log is off, and no header or body is ever logged (they may hold the token). */
export async function createServingApp(deps: ServingDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: deps.limits.bodyBytes });
  app.addHook('onRequest', async (request, reply) => {
    if (deps.token === undefined || request.url === '/healthz') return;
    const presented = bearerToken(request);
    if (presented === undefined || !sameToken(presented, deps.token)) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, presented === undefined ? 'This server needs a bearer token (Authorization: Bearer …).' : 'Wrong bearer token.');
    }
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(deps.metrics.render()));

  app.get('/v1/models/:model', async (request) => {
    const { model } = parseRequest(ModelParams, request.params);
    return describeVersion(await deps.champions.get(model), deps.limits);
  });

  app.post('/v1/models/:model/predict', async (request, reply) => {
    const { model } = parseRequest(ModelParams, request.params);
    // The version is taken once: this request finishes on it whatever is promoted meanwhile.
    const served = await deps.champions.get(model);
    const answer = await predict(served, request.body, deps);
    reply.header('x-driftline-version', String(served.version));
    return answer;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url !== '/v1/models/:model/predict') return;
    deps.metrics.request(reply.statusCode);
    deps.metrics.latency(reply.elapsedTime / 1000);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'No such endpoint: see GET /v1/models/:model, POST /v1/models/:model/predict, /healthz, /metrics.'));
  app.setErrorHandler((error, request, reply) => {
    const [status, message] = describeError(error, deps.limits);
    if (status >= 500) deps.logError(`serve: ${request.method} ${request.routeOptions.url ?? '?'} failed: ${(error as Error).message}`);
    return sendError(reply, status, message);
  });
  return app;
}

async function predict(served: ServedVersion, body: unknown, deps: ServingDeps) {
  const parsedBody = RequestRows.safeParse(body);
  if (!parsedBody.success) throw new HttpError(400, 'The body must be a JSON array of rows, or one row object.');
  const raw = Array.isArray(parsedBody.data) ? parsedBody.data : [parsedBody.data];
  if (raw.length === 0) throw new HttpError(400, 'No rows to predict for.');
  if (raw.length > deps.limits.rows) throw new HttpError(413, `${raw.length} rows in one request; the limit is ${deps.limits.rows}. Send them in smaller requests, or score them in a batch (driftline score).`);
  const parsed = parseRows(served.rowSchema, raw);
  if ('problem' in parsed) throw new HttpError(400, `Refused, nothing predicted: ${parsed.problem}`);
  const { rows } = parsed;
  const keys = rowKeys(rows, served.keyColumns);

  const { artifact } = served;
  const features = requestFeatures(rows, served.input.columns, artifact.plan);
  const predictions = features.x.length === 0 ? [] : await predictAnyWith(artifact, features.x, AbortSignal.timeout(PREDICT_TIMEOUT_MS));
  const classes = artifact.plan.classes?.values;
  const codes = classes ? predictedClasses(predictions as number[][]) : undefined;
  const batchId = randomUUID();
  const answers: Answer[] = [];
  const logged: PredictionRow[] = [];
  const read = served.input.required;
  const digests = rowInputDigests(rows, served.input.columns, read);
  features.inputRows.forEach((row, i) => {
    const predictionId = randomUUID();
    const rowKey = keys[row] ?? predictionId;
    const input = rows[row] as Row;
    const at = artifact.plan.timeColumn ? (input[artifact.plan.timeColumn] as string | null) : null;
    const entry = { predictionId, pipeline: served.pipeline, model: served.model, version: served.version, batchId, rowKey, at, inputDigest: digests[row] as string, inputs: modelInputs(input, read), source: 'online' as const };
    if (classes && codes) {
      const probabilities = Object.fromEntries(classes.map((name, k) => [name, (predictions[i] as number[])[k] as number]));
      const predictedClass = classes[codes[i] as number] as string;
      answers.push({ row, predictionId, rowKey, class: predictedClass, probabilities });
      logged.push({ ...entry, predictedClass, probabilities });
    } else {
      answers.push({ row, predictionId, rowKey, prediction: predictions[i] as number });
      logged.push({ ...entry, prediction: predictions[i] as number });
    }
  });
  deps.log?.append(logged);
  deps.metrics.predicted(served.model, served.version, answers.length);
  answers.sort((a, b) => a.row - b.row);
  const scored = new Set(features.inputRows);
  const unscored = rows.map((_, row) => row).filter((row) => !scored.has(row));
  return {
    model: served.model,
    version: served.version,
    predictions: answers,
    ...(unscored.length > 0 && {
      unscored: unscored.map((row) => ({ row, reason: 'no prediction: a value the model needs is missing, or the request holds too little history before this row' })),
    }),
  };
}

/** Each row's key (for joining actuals later); two rows with the same key in one request are refused. */
function rowKeys(rows: readonly Row[], keyColumns: readonly string[]): (string | undefined)[] {
  const seen = new Map<string, number>();
  return rows.map((row, i) => {
    const key = rowKeyOf(row, keyColumns);
    if (key === undefined) return undefined;
    const first = seen.get(key);
    if (first !== undefined) throw new HttpError(400, `Refused, nothing predicted: rows ${first} and ${i} have the same key (${keyColumns.join(', ')} = ${key}).`);
    seen.set(key, i);
    return key;
  });
}

function describeVersion(served: ServedVersion, limits: ServingLimits) {
  const { plan, trainer } = served.artifact;
  return {
    model: served.model,
    pipeline: served.pipeline,
    version: served.version,
    kind: plan.classes ? 'classification' : 'regression',
    ...(plan.classes && { classes: plan.classes.values }),
    target: plan.target,
    trainer: trainer.kind === 'built-in' ? trainer.name : trainer.kind,
    keyColumns: served.keyColumns,
    ...(plan.timeColumn && { timeColumn: plan.timeColumn }),
    ...(plan.groupBy && { groupBy: plan.groupBy }),
    // Rows of history a prediction needs before it in the same request (lags, rolling windows).
    historyRows: lookbackOf(plan),
    input: describeInput(served.input),
    limits: { rows: limits.rows, bodyBytes: limits.bodyBytes },
    loadedAt: served.loadedAt.toISOString(),
  };
}

function sendError(reply: FastifyReply, status: number, message: string) {
  return reply.status(status).send({ error: message });
}

/** The status and a message fit to show: our own refusals verbatim, fastify's in our words (its messages may quote the body). */
function describeError(error: unknown, limits: ServingLimits): [number, string] {
  if (error instanceof HttpError) return [error.status, error.message];
  if (error instanceof DriftlineError && error.type === 'InvalidInput') return [400, `Refused, nothing predicted: ${error.message}`];
  if (error instanceof Error && error.name === 'TimeoutError') return [503, `The model did not answer within ${PREDICT_TIMEOUT_MS / 1000} s.`];
  const { statusCode, code } = error as FastifyError;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return [413, `The body is larger than ${limits.bodyBytes} bytes, the limit of this server: send fewer rows per request.`];
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return [415, 'Send rows as JSON (Content-Type: application/json).'];
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (statusCode === 400 && error instanceof SyntaxError)) return [400, 'The body is not valid JSON.'];
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return [statusCode, 'The request was refused.'];
  return [500, 'The server could not answer this request; the error is in its log.'];
}
