import { Context } from '@temporalio/activity';

const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Heartbeats the current activity while `work` runs (loading a large snapshot, say), so a heartbeat
 * timeout measures a dead worker rather than a big input, and a cancellation can reach it.
 */
export async function heartbeatWhile<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
