import type { Context } from '@temporalio/activity';
import type { SignalDefinition } from '@temporalio/common';
import { trainingProgressSignal } from '../../workflows/messages';

const HEARTBEAT_EVERY_MS = 500;
const SIGNAL_EVERY_MS = 2_000;

/**
 * Heartbeats the latest progress twice a second (which is also how cancellation reaches us, and
 * how a lost heartbeat stops a zombie attempt), and signals it to the workflow every few seconds
 * so its `status` query can show it. Started before any data is loaded: a long load still beats.
 */
export function reportProgress(ctx: Context) {
  let latest = { fraction: 0, message: 'starting' };
  let signalled = '';
  const beat = setInterval(() => ctx.heartbeat(latest), HEARTBEAT_EVERY_MS);
  const signal = setInterval(() => {
    const key = JSON.stringify(latest);
    if (key === signalled) return;
    signalled = key;
    signalOwnWorkflow(ctx, trainingProgressSignal, latest);
  }, SIGNAL_EVERY_MS);
  ctx.heartbeat(latest);
  return {
    update: (fraction: number, message: string) => (latest = { fraction, message }),
    stop: () => {
      clearInterval(beat);
      clearInterval(signal);
    },
  };
}

/** Signals the workflow run that scheduled this activity; a failed signal is logged, never fatal. */
export function signalOwnWorkflow<T>(ctx: Context, signal: SignalDefinition<[T]>, payload: T): void {
  const execution = ctx.info.workflowExecution;
  if (!execution) return;
  ctx.client.workflow
    .getHandle(execution.workflowId, execution.runId)
    .signal(signal, payload)
    .catch((error: Error) => ctx.log.warn(`could not signal ${signal.name}`, { error: error.message }));
}
