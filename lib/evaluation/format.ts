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
