import { Client, Connection } from '@temporalio/client';
import type { DriftlineConfig } from '../lib/config';
import { temporalConnectionSettings } from '../lib/temporal-connection';
import { deliverNotifications, notificationDeliveryWorkflowId } from '../workflows/deliver-notifications';

/**
 * Makes sure this deployment's delivery loop runs: every main worker asks at start, the first
 * starts it, the others find it running (and a loop that was terminated starts again).
 */
export async function ensureNotificationDelivery(config: DriftlineConfig): Promise<void> {
  const connection = await Connection.connect(temporalConnectionSettings(config));
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    await client.workflow.start(deliverNotifications, {
      workflowId: notificationDeliveryWorkflowId(config.TEMPORAL_TASK_QUEUE),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{}],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } finally {
    await connection.close();
  }
}
