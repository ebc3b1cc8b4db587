import { Runtime } from '@temporalio/worker';
import { countUndelivered } from '../lib/db/notifications';
import type { Pool } from '../lib/db/pool';

const EVERY_MS = 15_000;

/** Publishes how many alerts wait in the outbox undelivered, so a stuck webhook is seen on a dashboard. */
export function watchNotificationBacklog(pool: Pool): () => void {
  const gauge = Runtime.instance().metricMeter.createGauge('driftline_notification_backlog', 'int', 'notifications', 'Alerts in the outbox not yet delivered');
  const sample = () =>
    countUndelivered(pool)
      .then((n) => gauge.set(n))
      .catch(() => undefined);
  void sample();
  const timer = setInterval(sample, EVERY_MS);
  return () => clearInterval(timer);
}
