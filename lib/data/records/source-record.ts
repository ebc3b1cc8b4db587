import type { RawCell } from '../cell-parser';

/** One record of any source, before validation. */
export interface SourceRecord {
  /** 1-based line where the record starts in the source text (for a postgres source, in its CSV export). */
  line: number;
  /** The record as written, kept for the quarantine. */
  raw: string;
  /** The declared columns' cells in declaration order; undefined where the record lacks one. */
  cells: RawCell[];
  /** Set when the record could not even be split into cells (ragged, bad quoting, not JSON …). */
  problem?: string;
}

/** Longer records are quarantined without being held in memory: a 1 GB line costs no more than a short one. */
export const MAX_RECORD_CHARS = 1024 * 1024;

/** How much of an oversized record the quarantine keeps as its raw text. */
export const RAW_PREFIX_CHARS = 1_000;
