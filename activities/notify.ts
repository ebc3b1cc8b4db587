import { log } from '@temporalio/activity';
import { enqueueNotification, getNotification, markAttemptFailed, markDelivered, type NewNotification, type StoredNotification } from '../lib/db/notifications';
import type { ActivityDeps } from './deps';

const WEBHOOK_TIMEOUT_MS = 10_000;

export function makeNotify(deps: ActivityDeps) {
  return {
    /** Puts the event in the durable outbox (once per dedupe key) and returns its id. */
    async enqueueNotification(notification: NewNotification): Promise<number> {
      return enqueueNotification(deps.pool, notification);
    },

    /**
     * Delivers one outbox entry to the log and, when configured, the team's webhook (Slack-compatible
     * JSON). Already delivered: nothing is sent again. A failed POST throws, so Temporal retries it.
     */
    async deliverNotification({ id }: { id: number }): Promise<{ delivered: boolean }> {
      const notification = await getNotification(deps.pool, id);
      if (notification.deliveredAt) return { delivered: false };
      log.warn(`notify: ${notification.title}`, { kind: notification.kind, pipeline: notification.pipeline, body: notification.body });
      if (deps.webhookUrl) {
        try {
          await postToWebhook(deps.webhookUrl, notification);
        } catch (error) {
          await markAttemptFailed(deps.pool, id, (error as Error).message);
          throw error;
        }
      }
      await markDelivered(deps.pool, id);
      return { delivered: true };
    },
  };
}

async function postToWebhook(url: string, n: StoredNotification): Promise<void> {
  const icon = n.severity === 'critical' ? ':rotating_light:' : n.severity === 'warning' ? ':warning:' : ':information_source:';
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `${icon} *${n.title}*\n${n.body}`, driftline: { kind: n.kind, pipeline: n.pipeline, details: n.details } }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    // The URL carries the webhook's secret token: name the host only.
    throw new Error(`webhook ${new URL(url).host} unreachable: ${(error as Error).name}`);
  }
  if (!response.ok) throw new Error(`webhook ${new URL(url).host} answered HTTP ${response.status}`);
}
