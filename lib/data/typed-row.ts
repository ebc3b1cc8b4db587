/**
 * A snapshot row as models read it: numbers for numeric and integer columns, ISO 8601 UTC
 * strings for timestamps, strings for categories, booleans, and null for missing values.
 */
export type Cell = number | string | boolean | null;
export type Row = Record<string, Cell>;
