import { createHash, type Hash } from 'node:crypto';
import type { ColumnSpecs } from './column-spec';

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

/** The declared columns with their rules, in order: a change to any rule changes what is accepted. */
export function schemaHash(columns: ColumnSpecs): string {
  return contentDigest(Object.entries(columns));
}

/**
 * A snapshot's identity, computed while streaming: its schema, its accepted rows in their
 * canonical text (lib/data/copy-text.ts), in order, and its quarantined lines with their reasons.
 * Where the data came from and when are not part of it: the same content is the same snapshot.
 * A source's row filter is: the same file read through another filter is another snapshot.
 */
export class SnapshotHasher {
  private readonly rows = createHash('sha256');
  private readonly quarantine = createHash('sha256');

  constructor(
    private readonly schema: string,
    /** The source's `where`; absent, the digest is what it was before filters existed. */
    private readonly where?: unknown,
  ) {}

  /** Canonical row text (UTF-8), in the order rows are accepted; chunk boundaries do not matter. */
  addRows(bytes: Uint8Array): void {
    this.rows.update(bytes);
  }

  addQuarantined(line: number, raw: string, reason: string): void {
    this.quarantine.update(`${JSON.stringify([line, raw, reason])}\n`);
  }

  digest(): string {
    return contentDigest({ version: 1, schema: this.schema, rows: hex(this.rows), quarantine: hex(this.quarantine), where: this.where });
  }
}

function hex(hash: Hash): string {
  return hash.digest('hex');
}
