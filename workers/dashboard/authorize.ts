import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-params';

/**
 * Lets an action through only with the configured token, from an `Authorization: Bearer` header
 * (scripts) or the form's `token` field (the pages). No token configured: every action is refused,
 * and the dashboard is read-only. Digests are compared in constant time, so the answer's timing
 * says nothing about how much of a guess was right.
 */
export function authorize(request: FastifyRequest, configured: string | undefined): void {
  if (configured === undefined) throw new HttpError(403, 'Actions are disabled: start the dashboard with DRIFTLINE_DASHBOARD_TOKEN set.');
  const presented = presentedToken(request);
  if (presented === undefined) throw new HttpError(401, 'This action needs the dashboard token.');
  if (!sameToken(presented, configured)) throw new HttpError(403, 'Wrong dashboard token.');
}

/** Whether a presented token is the configured one, compared in constant time (digests, so lengths leak nothing either). */
export function sameToken(presented: string, configured: string): boolean {
  return timingSafeEqual(digest(presented), digest(configured));
}

/** The token of an `Authorization: Bearer …` header, if the request has one. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function presentedToken(request: FastifyRequest): string | undefined {
  const bearer = bearerToken(request);
  if (bearer !== undefined) return bearer;
  const body = request.body as { token?: unknown } | undefined;
  return typeof body?.token === 'string' && body.token !== '' ? body.token : undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
