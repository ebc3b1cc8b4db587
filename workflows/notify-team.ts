import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NewNotification } from '../lib/db/notifications';
import { describeFailure, STEP_RETRY } from './step-options';

const { enqueueNotification, deliverNotification } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

/**
 * Tells the data team once: the message goes to the durable outbox first, then out with retries.
 * A webhook that stays down does not fail the run; the message waits in the outbox, where the
 * `driftline_notification_backlog` metric shows it.
 */
export async function notifyTeam(notification: NewNotification): Promise<{ delivered: boolean }> {
  const id = await enqueueNotification(notification);
  try {
    await deliverNotification({ id });
    return { delivered: true };
  } catch (error) {
    log.warn('notification not delivered; it stays in the outbox', { notificationId: id, error: describeFailure(error) });
    return { delivered: false };
  }
}
