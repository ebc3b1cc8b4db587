import type { Context } from '@temporalio/activity';
import { trainingProgressSignal } from '../../workflows/messages';

const HEARTBEAT_EVERY_MS = 500;
const SIGNAL_EVERY_MS = 2_000;

/**
 * Heartbeats the latest progress twice a second (which is also how cancellation reaches us), and
 * signals it to the workflow every few seconds so its `status` query can show it.
 */
export function reportProgress(ctx: Context) {
  let latest = { fraction: 0, message: 'starting' };
  let signalled = '';
  const execution = ctx.info.workflowExecution;
  const beat = setInterval(() => ctx.heartbeat(latest), HEARTBEAT_EVERY_MS);
  const signal = setInterval(() => {
    const key = JSON.stringify(latest);
    if (key === signalled || !execution) return;
    signalled = key;
    ctx.client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .signal(trainingProgressSignal, latest)
      .catch((error: Error) => ctx.log.warn('could not signal training progress', { error: error.message }));
  }, SIGNAL_EVERY_MS);
  return {
    update: (fraction: number, message: string) => (latest = { fraction, message }),
    stop: () => {
      clearInterval(beat);
      clearInterval(signal);
    },
  };
}
