/** How the dashboard writes numbers, times and durations: compact, and the same on every page. */

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 0.001 || magnitude >= 1e6)) return value.toExponential(2);
  return magnitude >= 100 ? value.toFixed(1) : value.toPrecision(3);
}

/** UTC, to the second: the server's and the reader's clocks may sit in different zones. */
export function formatTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return `${new Date(value).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Metrics as "RMSE 87.8 · MAE 70.1 · R² -0.710", in a fixed order, skipping those a version lacks. */
export function formatMetrics(metrics: Record<string, number> | null | undefined): string {
  if (!metrics) return '–';
  const labels: [string, string][] = [['rmse', 'RMSE'], ['mae', 'MAE'], ['r2', 'R²'], ['smape', 'sMAPE']];
  return labels
    .filter(([key]) => typeof metrics[key] === 'number')
    .map(([key, label]) => `${label} ${formatNumber(metrics[key])}`)
    .join(' · ');
}
