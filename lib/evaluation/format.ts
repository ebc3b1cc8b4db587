import { higherIsBetter, metricOf, type Metrics } from '../model/metrics';
import type { ModelFit } from '../model/model-artifact';
import type { Metric } from '../spec/pipeline-spec';
import type { BaselineSummary } from './baselines';

/**
 * A metric with three significant digits, whole numbers from 1,000 on: "0.491", "94.3", "1235".
 * Enough for the target's scale whatever it is: never "RMSE 0.5" for 0.491, nor "87.79" noise digits.
 */
export function formatMetric(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  if (Math.abs(value) >= 1000) return Math.round(value).toString();
  return value.toPrecision(3);
}

/** A share as a percentage with two significant digits: 0.142 → "14 %", 0.0317 → "3.2 %". */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return `${formatMetric(share)} %`;
  const percent = share * 100;
  return `${Math.abs(percent) >= 10 ? Math.round(percent) : Number(percent.toPrecision(2))} %`;
}

/** A row's key or an example's time as a person reads it: the date alone at midnight, a row number without a time column. */
export function describeAt(at: string | number): string {
  if (typeof at === 'number' || /^\d{10}$/.test(at)) return `row ${Number(at)}`;
  return at.endsWith('T00:00:00.000Z') ? at.slice(0, 10) : at;
}

/** "skill 14 %" for error metrics, "skill +0.12" for r2 (a difference, not a ratio). */
export function skillText(metric: Metric, skill: number): string {
  return higherIsBetter(metric) ? `skill ${skill > 0 ? '+' : ''}${formatMetric(skill)}` : `skill ${formatPercent(skill)}`;
}

/** "last-value rmse 94.7, seasonal-naive 95.3, mean 246; skill 14 % vs last-value" */
export function describeBaselines(b: BaselineSummary): string {
  const scores = b.scores.map((s, i) => `${s.name}${i === 0 ? ` ${b.metric}` : ''} ${formatMetric(metricOf(s.metrics, b.metric))}`);
  return `${scores.join(', ')}; ${skillText(b.metric, b.skill)} vs ${b.best}`;
}

/** How each metric is named for people, in the order they are listed. */
const METRIC_LABELS: [Metric, string, string][] = [
  ['rmse', 'RMSE', ''],
  ['mae', 'MAE', ''],
  ['r2', 'R²', ''],
  ['smape', 'sMAPE', ' %'],
  ['accuracy', 'accuracy', ''],
  ['balanced_accuracy', 'balanced accuracy', ''],
  ['f1_macro', 'macro F1', ''],
  ['roc_auc', 'ROC AUC', ''],
  ['log_loss', 'log loss', ''],
  ['brier', 'Brier', ''],
];

/** "RMSE 81.5  MAE 65.3  R² -0.474  sMAPE 32.4 %" (or a classifier's scores): every metric present, three significant digits. */
export function describeMetrics(m: Metrics): string {
  return METRIC_LABELS.flatMap(([key, label, unit]) => (m[key] === undefined ? [] : [`${label} ${formatMetric(m[key])}${unit}`])).join('  ');
}

/** A metric as people read it: "RMSE", "log loss". */
export function metricLabel(metric: Metric): string {
  return METRIC_LABELS.find(([key]) => key === metric)?.[1] ?? metric;
}

/** The first metric present, for one-line listings: "RMSE 81.5", "accuracy 0.871". */
export function headlineMetric(m: Metrics): string {
  const [key, label] = METRIC_LABELS.find(([name]) => m[name] !== undefined) ?? ['rmse', 'RMSE'];
  return `${label} ${formatMetric(m[key] ?? Number.NaN)}`;
}

/** "79 examples, 2006-06-01 … 2012-12-01, artifact sha256:3f2a9c…" */
export function describeFit(fit: ModelFit & { artifactDigest: string }): string {
  return `${fit.examples} examples, ${describeAt(fit.from)} … ${describeAt(fit.to)}, artifact sha256:${fit.artifactDigest.slice(0, 12)}…`;
}
