import { condition, continueAsNew, defineSignal, log, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import { parseWorkflowInput } from './parse-input';
import { describeFailure, STEP_RETRY } from './step-options';
import { lazySchema } from '../lib/lazy-schema';

const { deliverPendingNotifications } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '1 minute', retry: STEP_RETRY });

/**
 * One delivery loop per task queue (a deployment, with its own database), started by the worker:
 * a second start finds it running.
 */
export function notificationDeliveryWorkflowId(taskQueue: string): string {
  return `driftline-notification-delivery/${taskQueue}`;
}

/** An alert could not be delivered on the spot: the loop starts its retry schedule now. */
export const notificationsPendingSignal = defineSignal('notificationsPending');

export const DeliverNotificationsInput = lazySchema(() =>
  z.object({
    /**
     * The retry schedule while alerts wait: the first wait, doubled after every pass that left some
     * undelivered, up to the longest. Production: 10 s, 20 s, 40 s … 5 minutes, for as long as it
     * takes (a day's outage is ~300 passes), so an alert is out within 5 minutes of the endpoint's return.
     */
    firstRetryMs: z.number().int().min(100).max(3_600_000).default(10_000),
    maxRetryMs: z.number().int().min(100).max(86_400_000).default(300_000),
    /** With nothing waiting, the loop sleeps until an alert fails (the signal) or this long, to catch any missed one. */
    idleCheckMs: z.number().int().min(1_000).max(86_400_000).default(900_000),
    /** Passes per run before continuing as new, which keeps each run's history small. */
    passesPerRun: z.number().int().min(1).max(1_000).default(200),
  }).strict(),
);
export type DeliverNotificationsInput = z.input<typeof DeliverNotificationsInput>;

/**
 * The outbox drains: every undelivered alert (notifyTeam tries each on the spot first) is sent
 * again on a backoff schedule until the endpoint takes it; each exactly once (deliverOnce).
 * Runs forever, continuing as new.
 */
export async function deliverNotifications(rawInput: DeliverNotificationsInput = {}): Promise<never> {
  const input = parseWorkflowInput(DeliverNotificationsInput, rawInput, 'deliverNotifications');
  let signalled = false;
  setHandler(notificationsPendingSignal, () => void (signalled = true));
  let waitMs = input.firstRetryMs;
  for (let pass = 0; pass < input.passesPerRun && !workflowInfo().continueAsNewSuggested; pass += 1) {
    signalled = false;
    const pending = await deliverPendingNotifications().then(
      (result) => result.pending,
      (error: unknown) => {
        // The database or the worker failed the pass: the alerts are still there, try again later.
        log.warn('notification delivery pass failed', { error: describeFailure(error) });
        return undefined;
      },
    );
    if (pending === 0) {
      waitMs = input.firstRetryMs;
      await condition(() => signalled, input.idleCheckMs);
    } else {
      await sleep(waitMs);
      waitMs = Math.min(waitMs * 2, input.maxRetryMs);
    }
  }
  return continueAsNew<typeof deliverNotifications>(input);
}
