import formbody from '@fastify/formbody';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DriftlineConfig } from '../../lib/config';
import { messagePage } from '../../lib/dashboard/message-page';
import type { Pool } from '../../lib/db/pool';
import { DriftlineError } from '../../lib/errors';
import { registerActions } from './action-routes';
import { registerAssets } from './assets';
import { HttpError } from './http-params';
import { registerPages, sendPage } from './page-routes';

export interface DashboardDeps {
  pool: Pool;
  config: DriftlineConfig;
  /** Connected on first use: the pages work while Temporal is down, only approvals and next runs need it. */
  temporal: () => Promise<Client>;
  /** Where errors are reported; never given a request body (it may hold the token). */
  logError?: (line: string) => void;
}

// Scripts only from /assets, no inline script, no framing: an injected name could not run even if escaping failed.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export async function createDashboard(deps: DashboardDeps): Promise<FastifyInstance> {
  // Fastify's own request log is off: the dashboard logs only failures, through logError.
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // A path that does not decode (`/models/%FF`) is refused with the dashboard's own page, not
    // fastify's JSON; it is answered before any hook runs, so it sets the headers itself.
    frameworkErrors: (_error, _request, reply) =>
      sendPage(reply.headers(SECURITY_HEADERS), refusal('The address is not valid: it holds bytes that do not decode.'), 400),
  });
  await app.register(formbody);
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  registerAssets(app);
  registerPages(app, deps);
  registerActions(app, deps);
  app.setNotFoundHandler((_request, reply) => sendPage(reply, messagePage('Not found', 'There is no such page.', overview), 404));
  app.setErrorHandler((error, request, reply) => {
    const [status, message] = describeError(error);
    if (status >= 500) (deps.logError ?? console.error)(`dashboard: ${request.method} ${request.routeOptions.url ?? '?'} failed: ${(error as Error).message}`);
    return sendPage(reply, status >= 500 ? messagePage('Something went wrong', message, overview) : refusal(message), status);
  });
  return app;
}

const overview = { label: 'Overview', href: '/' };
const refusal = (message: string) => messagePage('Refused', message, overview);

/** The status and a message fit to show: our own refusals verbatim, anything unexpected without detail. */
function describeError(error: unknown): [number, string] {
  if (error instanceof HttpError) return [error.status, error.message];
  if (error instanceof DriftlineError && error.type === 'InvalidInput') return [400, error.message];
  if (error instanceof WorkflowNotFoundError) return [404, 'That workflow run does not exist (any more).'];
  if (error instanceof WorkflowUpdateFailedError) return [409, `The run refused: ${(error.cause as Error | undefined)?.message ?? error.message}`];
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return [status, (error as Error).message];
  return [500, 'The dashboard could not answer this request; the error is in its log.'];
}
