/** Upper bounds (seconds) of the request latency histogram: single rows land in the first few, 100-row requests further up. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The prediction server's counters, rendered as Prometheus text at `GET /metrics`. Labels are
 * bounded: status codes, and the names of models that were actually served (never a name from a
 * URL that matched nothing).
 */
export class ServeMetrics {
  private readonly requests = new Map<string, number>();
  private readonly predictions = new Map<string, number>();
  private readonly buckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private latencyCount = 0;
  private latencySum = 0;
  logged = 0;
  logFailures = 0;
  dropped = 0;
  /** Predictions waiting to be logged: read when the metrics are rendered. */
  pending: () => number = () => 0;

  request(status: number): void {
    const key = String(status);
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  predicted(model: string, version: number, count: number): void {
    const key = `model="${escapeLabel(model)}",version="${version}"`;
    this.predictions.set(key, (this.predictions.get(key) ?? 0) + count);
  }

  /** One predict request's time, answered or refused. */
  latency(seconds: number): void {
    this.latencyCount += 1;
    this.latencySum += seconds;
    const bucket = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) this.buckets[bucket] = (this.buckets[bucket] as number) + 1;
  }

  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('driftline_serve_requests_total', 'counter', 'Predict requests answered, by HTTP status.');
    for (const [code, n] of this.requests) lines.push(`driftline_serve_requests_total{code="${code}"} ${n}`);
    family('driftline_serve_predictions_total', 'counter', 'Predictions made, by model and version.');
    for (const [labels, n] of this.predictions) lines.push(`driftline_serve_predictions_total{${labels}} ${n}`);
    family('driftline_serve_predictions_logged_total', 'counter', 'Predictions written to the predictions table.');
    lines.push(`driftline_serve_predictions_logged_total ${this.logged}`);
    family('driftline_serve_log_failures_total', 'counter', 'Failed attempts to write a batch of predictions (the batch is retried).');
    lines.push(`driftline_serve_log_failures_total ${this.logFailures}`);
    family('driftline_serve_predictions_dropped_total', 'counter', 'Predictions never logged: the retry buffer was full, or the server stopped before the database took them.');
    lines.push(`driftline_serve_predictions_dropped_total ${this.dropped}`);
    family('driftline_serve_log_pending', 'gauge', 'Predictions waiting in the buffer to be logged.');
    lines.push(`driftline_serve_log_pending ${this.pending()}`);
    family('driftline_serve_request_duration_seconds', 'histogram', 'Time to answer a predict request.');
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += this.buckets[i] as number;
      lines.push(`driftline_serve_request_duration_seconds_bucket{le="${bound}"} ${cumulative}`);
    });
    lines.push(`driftline_serve_request_duration_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`driftline_serve_request_duration_seconds_sum ${this.latencySum}`);
    lines.push(`driftline_serve_request_duration_seconds_count ${this.latencyCount}`);
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
