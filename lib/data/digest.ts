import { createHash } from 'node:crypto';
import type { ColumnSpec } from '../spec/pipeline-spec';
import type { Row } from './typed-row';

/** sha256 of a value's canonical JSON (object keys sorted), so equal content always has one digest. */
export function contentDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The snapshot's identity: its schema and its accepted rows, in order. */
export function snapshotDigest(columns: Record<string, ColumnSpec>, rows: Row[]): string {
  return contentDigest({ schema: columns, rows });
}

export function schemaHash(columns: Record<string, ColumnSpec>): string {
  return contentDigest(columns);
}
