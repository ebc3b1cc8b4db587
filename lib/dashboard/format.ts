/** How the dashboard writes numbers, times and durations: compact, and the same on every page. */

/**
 * Three significant digits below a thousand (19.7, 0.0512), whole numbers with separators above
 * (137,412): a gate value never shows sixteen digits, NaN never shows as text.
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude < 0.001 || magnitude >= 1e15) return value.toExponential(2);
  if (magnitude < 1000) return String(Number(value.toPrecision(3)));
  return Math.round(value).toLocaleString('en-US');
}

/** A timestamp (a Date, or milliseconds since the epoch as profiles store them) as a UTC date, with the time unless it is midnight. */
export function formatDate(value: Date | number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return '–';
  const iso = time.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** A value of a column in its own terms: a date for a timestamp column, a number otherwise. */
export function formatValue(value: number | null | undefined, type: string): string {
  return type === 'timestamp' ? formatDate(value) : formatNumber(value);
}

/** Chart data holds numbers or gaps: NaN and infinities become gaps, never text on an axis. */
export function chartValue(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
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
  const labels: [string, string][] = [
    ['rmse', 'RMSE'], ['mae', 'MAE'], ['r2', 'R²'], ['smape', 'sMAPE'],
    ['accuracy', 'accuracy'], ['balanced_accuracy', 'balanced accuracy'], ['f1_macro', 'macro F1'], ['roc_auc', 'ROC AUC'], ['log_loss', 'log loss'], ['brier', 'Brier'],
  ];
  return labels
    .filter(([key]) => typeof metrics[key] === 'number')
    .map(([key, label]) => `${label} ${formatNumber(metrics[key])}`)
    .join(' · ');
}
