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
  it('writes in batches of at most maxBatchRows, and after failed writes retries the same rows until they are taken, each once', async () => {
    const metrics = new ServeMetrics();
    const store = flakyStore(2);
    const errors: string[] = [];
    const log = new PredictionLog({ write: store.write, metrics, logError: (line) => errors.push(line), flushMs: 5, flushRows: 4, maxBatchRows: 4, retryMs: 5 });
    log.append(Array.from({ length: 10 }, (_, i) => row(i)));
    await log.close();
    expect(store.written.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(store.written.flat().map((r) => r.rowKey)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect([metrics.logged, metrics.logFailures, metrics.dropped]).toEqual([10, 2, 0]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/logging 4 prediction\(s\) failed \(attempt 1/);
  });

  it('writes the rows that arrived during a write in one larger insert, not in flushRows pieces', async () => {
    const metrics = new ServeMetrics();
    const written: number[] = [];
    let release: () => void = () => undefined;
    const firstWrite = new Promise<void>((resolve) => (release = resolve));
    const write = async (rows: readonly PredictionRow[]) => {
      if (written.length === 0) await firstWrite;
      written.push(rows.length);
    };
    const log = new PredictionLog({ write, metrics, logError: () => undefined, flushMs: 5, flushRows: 4, maxBatchRows: 50 });
    log.append(Array.from({ length: 4 }, (_, i) => row(i)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // While the first insert is in flight, 20 requests of 3 rows each arrive.
    for (let r = 0; r < 20; r += 1) log.append(Array.from({ length: 3 }, (_, i) => row(4 + r * 3 + i)));
    release();
    await log.close();
    expect(written).toEqual([4, 50, 10]);
    expect([metrics.logged, metrics.dropped]).toEqual([64, 0]);
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
