import { describe, expect, it } from 'vitest';
import type { PredictionRow } from '../../lib/db/predictions';
import { PredictionLog } from '../../lib/serving/prediction-log';
import { ServeMetrics } from '../../lib/serving/serve-metrics';

const row = (i: number): PredictionRow => ({ pipeline: 'p', model: 'm', version: 1, batchId: `b${i}`, rowKey: `k${i}`, prediction: i, inputDigest: 'd', source: 'online' });

/** A database that refuses the first `failures` writes, then takes every batch. */
function flakyStore(failures: number) {
  const written: PredictionRow[][] = [];
  let calls = 0;
  return {
    written,
    write: async (rows: readonly PredictionRow[]) => {
      calls += 1;
      if (calls <= failures) throw new Error(`connection refused (call ${calls})`);
      written.push([...rows]);
    },
  };
}

describe('the prediction log', () => {
  it('writes in batches of at most flushRows, and after failed writes retries the same rows until they are taken, each once', async () => {
    const metrics = new ServeMetrics();
    const store = flakyStore(2);
    const errors: string[] = [];
    const log = new PredictionLog({ write: store.write, metrics, logError: (line) => errors.push(line), flushMs: 5, flushRows: 4, retryMs: 5 });
    log.append(Array.from({ length: 10 }, (_, i) => row(i)));
    await log.close();
    expect(store.written.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(store.written.flat().map((r) => r.rowKey)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect([metrics.logged, metrics.logFailures, metrics.dropped]).toEqual([10, 2, 0]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/logging 4 prediction\(s\) failed \(attempt 1/);
  });

  it('counts what does not fit in the buffer while the database is down, and what is still unwritten when it stops', async () => {
    const metrics = new ServeMetrics();
    const store = flakyStore(Number.POSITIVE_INFINITY);
    const errors: string[] = [];
    const log = new PredictionLog({ write: store.write, metrics, logError: (line) => errors.push(line), flushMs: 5, capacity: 10, retryMs: 5, maxRetryMs: 10 });
    log.append(Array.from({ length: 15 }, (_, i) => row(i)));
    expect(metrics.dropped).toBe(5);
    expect(metrics.pending()).toBe(10);
    await log.close(100);
    expect(metrics.dropped).toBe(15);
    expect(metrics.logged).toBe(0);
    expect(metrics.logFailures).toBeGreaterThan(1);
    expect(errors.at(-1)).toMatch(/10 prediction\(s\) not logged: the database did not take them before the server stopped/);
    expect(metrics.render()).toMatch(/driftline_serve_predictions_dropped_total 15/);
  });
});
