import { heartbeat, log } from '@temporalio/activity';
import { countUndelivered, deliverOnce, enqueueNotification, undeliveredIds, type NewNotification, type StoredNotification } from '../lib/db/notifications';
import { linkDriftReport } from '../lib/drift/drift-notification';
import type { ActivityDeps } from './deps';

const WEBHOOK_TIMEOUT_MS = 10_000;
/** Entries one delivery pass reads at a time. */
const BATCH = 100;
/** A pass that fails this many sends in a row stops: the endpoint is down, not one message bad. */
const FAILURES_THAT_END_A_PASS = 3;

export function makeNotify(deps: ActivityDeps) {
  /** Sends to the team's webhook (Slack-compatible JSON) when one is configured; the log had the event at enqueue. */
  const send = (n: StoredNotification) => (deps.webhookUrl ? postToWebhook(deps.webhookUrl, n) : Promise.resolve());

  return {
    /**
     * Puts the event in the durable outbox (once per dedupe key) and returns its id. The log
     * channel hears of the event here, once, not once per delivery attempt.
     */
    async enqueueNotification(written: NewNotification): Promise<number> {
      const notification = linkDriftReport(written, deps.dashboardUrl);
      const { id, created } = await enqueueNotification(deps.pool, notification);
      if (created) log.warn(`notify: ${notification.title}`, { kind: notification.kind, pipeline: notification.pipeline, body: notification.body });
      return id;
    },

    /** Delivers one outbox entry unless it was delivered already. A failed POST throws, so Temporal retries it. */
    async deliverNotification({ id }: { id: number }): Promise<{ delivered: boolean }> {
      const result = await deliverOnce(deps.pool, id, send);
      if (result.outcome === 'failed') throw result.error;
      return { delivered: result.outcome === 'delivered' };
    },

    /**
     * One pass of the delivery loop (workflow deliverNotifications): tries every undelivered entry,
     * oldest first, and says how many are still waiting.
     */
    async deliverPendingNotifications(): Promise<{ delivered: number; pending: number }> {
      let delivered = 0;
      let failuresInARow = 0;
      for (const id of await undeliveredIds(deps.pool, BATCH)) {
        const result = await deliverOnce(deps.pool, id, send);
        heartbeat();
        if (result.outcome === 'delivered') delivered += 1;
        failuresInARow = result.outcome === 'failed' ? failuresInARow + 1 : 0;
        if (failuresInARow === FAILURES_THAT_END_A_PASS) break;
      }
      return { delivered, pending: await countUndelivered(deps.pool) };
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
      body: JSON.stringify({
        text: `${icon} *${n.title}*\n${n.body}`,
        // dedupeKey: the one event this is, for a receiver that drops a rare repeat (see deliverOnce).
        driftline: { kind: n.kind, pipeline: n.pipeline, dedupeKey: n.dedupeKey, details: n.details },
      }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    // The URL carries the webhook's secret token: name the host only.
    throw new Error(`webhook ${new URL(url).host} unreachable: ${(error as Error).name}`);
  }
  if (!response.ok) throw new Error(`webhook ${new URL(url).host} answered HTTP ${response.status}`);
}
