import type { DatePart, DatePartsSpec } from './transforms-spec';

/** Each periodic part as a zero-based value and its period: the angle of its sin/cos pair is 2π · value / period. */
const PERIODIC: Record<Exclude<DatePart, 'year'>, { period: number; value: (date: Date) => number }> = {
  month: { period: 12, value: (date) => date.getUTCMonth() },
  dayOfWeek: { period: 7, value: (date) => date.getUTCDay() },
  dayOfYear: { period: 366, value: (date) => dayOfYear(date) - 1 },
  hour: { period: 24, value: (date) => date.getUTCHours() },
};

/** A date part's plain value, as people count it (UTC): month 1–12, day of week 0 (Sunday) – 6, day of year 1–366, hour 0–23. */
function plainValue(part: DatePart, date: Date): number {
  switch (part) {
    case 'year':
      return date.getUTCFullYear();
    case 'month':
      return date.getUTCMonth() + 1;
    case 'dayOfYear':
      return dayOfYear(date);
    default:
      return PERIODIC[part].value(date);
  }
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** One feature of the time column: a part, or one half of a periodic part's sin/cos pair. */
interface DatePartFeature {
  name: string;
  of: (date: Date) => number;
}

/** The features the spec asks for, named after the time column: `date_month`, or `date_month_sin` and `date_month_cos` when cyclic. */
export function datePartFeatures(timeColumn: string, spec: DatePartsSpec): DatePartFeature[] {
  return spec.parts.flatMap((part): DatePartFeature[] => {
    if (!spec.cyclic || part === 'year') return [{ name: `${timeColumn}_${part}`, of: (date) => plainValue(part, date) }];
    const { period, value } = PERIODIC[part];
    return [
      { name: `${timeColumn}_${part}_sin`, of: (date) => Math.sin((2 * Math.PI * value(date)) / period) },
      { name: `${timeColumn}_${part}_cos`, of: (date) => Math.cos((2 * Math.PI * value(date)) / period) },
    ];
  });
}

/** Each feature's value for every time (epoch milliseconds; NaN stays NaN, and the row is left out). */
export function datePartColumns(times: Float64Array, features: DatePartFeature[]): Float64Array[] {
  const columns = features.map(() => new Float64Array(times.length));
  const date = new Date(0);
  for (let t = 0; t < times.length; t += 1) {
    const time = times[t] as number;
    date.setTime(time);
    features.forEach((feature, j) => ((columns[j] as Float64Array)[t] = Number.isNaN(time) ? Number.NaN : feature.of(date)));
  }
  return columns;
}
