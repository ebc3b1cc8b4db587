import type { ColumnType } from './column-spec';
import { COPY_NULL, copyEscape } from './copy-text';
import { readDecimal, type DecimalReading } from './decimal-text';
import { isCanonicalTimestamp, parseTimestamp } from './timestamp';

/**
 * A valid cell's value: a number for numeric and integer columns, epoch milliseconds for
 * timestamps, a boolean, a string for categorical columns, or null.
 */
export type Value = number | string | boolean | null;

/** Returned instead of a value so the hot path allocates nothing. */
export const INVALID = Symbol('invalid');

/**
 * Reads one non-empty cell as a column type. It returns the value and writes the value's
 * canonical text to `texts[i]`: the same value always has the same text whatever the source
 * wrote ("1.50" and "1.5" are one number; timestamps are UTC ISO 8601 to the millisecond), so
 * snapshots, digested over this text, have one digest for one content. The text is also what
 * COPY stores (PostgreSQL's text format: tabs, line breaks and backslashes escaped).
 */
export type TypeReader = (input: NonNullable<unknown>, texts: string[], i: number) => Value | typeof INVALID;

/** Scratch space for readDecimal: the readers run one cell at a time. */
const reading: DecimalReading = { value: 0, canonical: false };
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);
/** PostgreSQL text cannot hold NUL; U+FFFD is what undecodable (non-UTF-8) bytes became. */
const UNSTORABLE = /[\0\uFFFD]/;

export const TYPE_READERS: Record<ColumnType, TypeReader> = {
  numeric: (input, texts, i) => {
    if (typeof input === 'number') return Number.isFinite(input) ? ((texts[i] = String(input)), input) : INVALID;
    if (typeof input !== 'string' || !readDecimal(input, reading) || !Number.isFinite(reading.value)) return INVALID;
    texts[i] = reading.canonical ? input : String(reading.value);
    return reading.value;
  },
  integer: (input, texts, i) => {
    const n = typeof input === 'number' ? input : typeof input === 'string' && readDecimal(input, reading) ? reading.value : NaN;
    if (!Number.isSafeInteger(n)) return INVALID;
    texts[i] = String(n);
    return n;
  },
  boolean: (input, texts, i) => {
    const text = typeof input === 'boolean' ? String(input) : typeof input === 'string' ? input.toLowerCase() : '';
    const value = TRUE.has(text) ? true : FALSE.has(text) ? false : undefined;
    if (value === undefined) return INVALID;
    texts[i] = value ? 't' : 'f';
    return value;
  },
  timestamp: (input, texts, i) => {
    const ms = typeof input === 'string' ? parseTimestamp(input) : undefined;
    if (ms === undefined) return INVALID;
    texts[i] = isCanonicalTimestamp(input as string) ? (input as string) : new Date(ms).toISOString();
    return ms;
  },
  categorical: (input, texts, i) => {
    const text = typeof input === 'string' ? input : typeof input === 'number' || typeof input === 'boolean' ? String(input) : undefined;
    if (text === undefined || UNSTORABLE.test(text)) return INVALID;
    texts[i] = copyEscape(text);
    return text;
  },
};

/** The canonical text of a null cell. */
export const NULL_TEXT = COPY_NULL;
