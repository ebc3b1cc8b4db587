import { getExternalWorkflowHandle, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NewNotification } from '../lib/db/notifications';
import { notificationDeliveryWorkflowId, notificationsPendingSignal } from './deliver-notifications';
import { describeFailure, STEP_RETRY } from './step-options';

const { enqueueNotification, deliverNotification } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

/**
 * Tells the data team once: the message goes to the durable outbox first, then out with a few
 * quick retries. A webhook that stays down does not fail the run: the delivery loop
 * (deliverNotifications) keeps retrying the message until it is out; meanwhile the
 * `driftline_notification_backlog` metric and the dashboard show it waiting.
 */
export async function notifyTeam(notification: NewNotification): Promise<{ delivered: boolean }> {
  const id = await enqueueNotification(notification);
  try {
    await deliverNotification({ id });
    return { delivered: true };
  } catch (error) {
    log.warn('notification not delivered yet; the delivery loop retries it', { notificationId: id, error: describeFailure(error) });
    // Without the loop running (a worker that never started it), the message still waits in the outbox.
    await getExternalWorkflowHandle(notificationDeliveryWorkflowId(workflowInfo().taskQueue))
      .signal(notificationsPendingSignal)
      .catch(() => undefined);
    return { delivered: false };
  }
}
