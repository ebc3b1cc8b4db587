import type { PredictionRow } from '../db/predictions';
import type { ServeMetrics } from './serve-metrics';

export interface PredictionLogOptions {
  /** Writes one batch in one transaction (lib/db/predictions.ts insertPredictions). */
  write: (rows: readonly PredictionRow[]) => Promise<unknown>;
  metrics: ServeMetrics;
  /** Reports a failed write or an overflow; never given the rows. */
  logError: (line: string) => void;
  /** A batch is written this long after its first row arrived… */
  flushMs?: number;
  /** …or as soon as this many rows wait. */
  flushRows?: number;
  /** A write takes every row waiting, up to this many: a backlog built during a write goes in fewer, larger inserts. */
  maxBatchRows?: number;
  /** Rows held while the database does not take them; past it new predictions are counted as dropped. */
  capacity?: number;
  /** Backoff after a failed write: doubles from `retryMs` up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Logs predictions off the request path: rows wait in a bounded buffer and are written in
 * batches, one write at a time, each taking all that waits (group commit: the busier the server,
 * the larger the insert, so the log keeps up with more rows per second). A failed write keeps its
 * rows at the head of the buffer and is retried with backoff, so an outage delays logging without losing rows, up to the buffer's
 * capacity; beyond it every prediction that cannot be held is counted (`dropped`), never lost
 * silently.
 */
export class PredictionLog {
  private readonly buffer: PredictionRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  private readonly flushMs: number;
  private readonly flushRows: number;
  private readonly maxBatchRows: number;
  private readonly capacity: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: PredictionLogOptions) {
    this.flushMs = options.flushMs ?? 200;
    this.flushRows = options.flushRows ?? 500;
    this.maxBatchRows = options.maxBatchRows ?? 10_000;
    this.capacity = options.capacity ?? 100_000;
    this.retryMs = options.retryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
    options.metrics.pending = () => this.buffer.length;
  }

  /** Queues a request's predictions; returns at once. */
  append(rows: readonly PredictionRow[]): void {
    const room = this.closed ? 0 : this.capacity - this.buffer.length;
    const kept = rows.length <= room ? rows : rows.slice(0, Math.max(0, room));
    if (kept.length < rows.length) this.drop(rows.length - kept.length, this.closed ? 'the server is stopping' : `the log buffer holds ${this.capacity} rows`);
    for (const row of kept) this.buffer.push(row);
    if (this.buffer.length >= this.flushRows && this.failures === 0) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  /** Writes what waits, retrying until `deadlineMs` passes; whatever is still unwritten then is counted as dropped. */
  async close(deadlineMs = 5_000): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + deadlineMs;
    while ((this.buffer.length > 0 || this.writing) && Date.now() < deadline) {
      await (this.writing ?? this.writeBatch());
      if (this.failures > 0 && this.buffer.length > 0) await sleep(Math.min(this.backoff(), Math.max(0, deadline - Date.now())));
    }
    if (this.buffer.length > 0) this.drop(this.buffer.splice(0).length, 'the database did not take them before the server stopped');
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.writing || this.buffer.length === 0) return;
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeBatch();
    }, delayMs);
  }

  private writeBatch(): Promise<void> {
    if (this.writing || this.buffer.length === 0) return this.writing ?? Promise.resolve();
    const batch = this.buffer.slice(0, this.maxBatchRows);
    this.writing = this.options
      .write(batch)
      .then(
        () => {
          this.buffer.splice(0, batch.length);
          this.options.metrics.logged += batch.length;
          this.failures = 0;
        },
        (error: unknown) => {
          this.failures += 1;
          this.options.metrics.logFailures += 1;
          this.options.logError(`serve: logging ${batch.length} prediction(s) failed (attempt ${this.failures}, ${this.buffer.length} waiting): ${(error as Error).message}`);
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (this.buffer.length > 0) this.schedule(this.failures > 0 ? this.backoff() : this.buffer.length >= this.flushRows ? 0 : this.flushMs);
      });
    return this.writing;
  }

  private backoff(): number {
    return Math.min(this.maxRetryMs, this.retryMs * 2 ** Math.min(this.failures - 1, 20));
  }

  private drop(count: number, why: string): void {
    this.options.metrics.dropped += count;
    this.options.logError(`serve: ${count} prediction(s) not logged: ${why}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
