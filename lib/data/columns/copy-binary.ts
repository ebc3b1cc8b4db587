/**
 * PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`) split into fields wherever
 * the stream's chunks fall. Binary skips the server's float8-to-text conversion (the costliest
 * part of a text COPY) and the client's parse back: each field is its length and its bytes.
 *
 * The stream: an 11-byte signature, a 32-bit flags word, a 32-bit header-extension length and the
 * extension; then per row a 16-bit field count and per field a 32-bit length (-1: NULL) and the
 * bytes; then a 16-bit -1. All integers big-endian.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags, extension length. */
const HEADER_BYTES = SIGNATURE.length + 8;
const TRAILER = -1;
const NULL_LENGTH = -1;
/** Bytes of the next chunk first joined to a carried row: more than a row of 20 numbers and a few words. */
const JOIN_FIRST = 1024;

/**
 * Where a parsed field goes: `length` bytes at `start`, or NULL when `length` is -1. The bytes
 * come with a DataView over them: its big-endian reads are what the optimizing compiler inlines.
 */
export interface BinaryFieldSink {
  pushBinary(view: DataView, bytes: Uint8Array, start: number, length: number): void;
}

export class CopyBinaryParser {
  /** The bytes of an incomplete header or row at the end of the last chunk. */
  private carry: Buffer | undefined;
  private headerRead = false;
  private ended = false;
  private rows = 0;

  constructor(
    private readonly sinks: readonly BinaryFieldSink[],
    private readonly progress: (rows: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.ended) throw new Error('the binary COPY stream goes on after its trailer');
    const from = this.carry ? this.completeCarried(chunk) : 0;
    if (from === -1) return;
    const stop = this.parse(chunk, from, Number.POSITIVE_INFINITY);
    if (this.ended && stop < chunk.length) throw new Error('the binary COPY stream goes on after its trailer');
    // Copied, so the rest of the chunk is not kept alive by its tail.
    if (stop < chunk.length) this.carry = Buffer.from(chunk.subarray(stop));
  }

  /**
   * Parses the header or row the carried bytes begin, joined with as little of `chunk` as
   * completes it (rows are short: joining whole chunks would copy, and leave for the collector,
   * as many bytes as the stream holds). Returns where the chunk's own rows start, or -1 when all
   * of it is carried on.
   */
  private completeCarried(chunk: Buffer): number {
    const carried = this.carry as Buffer;
    this.carry = undefined;
    for (let take = Math.min(chunk.length, JOIN_FIRST); ; take = Math.min(chunk.length, take * 4)) {
      const joined = Buffer.concat([carried, chunk.subarray(0, take)]);
      const stop = this.parse(joined, 0, 1);
      if (stop > 0) return stop - carried.length;
      if (take === chunk.length) {
        this.carry = joined;
        return -1;
      }
    }
  }

  /** Parses at most `units` (the header, rows, the trailer) from `at`; returns where it stopped: the start of the first incomplete one. */
  private parse(bytes: Buffer, at: number, units: number): number {
    let left = units;
    if (!this.headerRead) {
      const end = headerEnd(bytes);
      if (end === -1) return at;
      this.headerRead = true;
      at = end;
      left -= 1;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; left > 0 && bytes.length - at >= 2; left -= 1) {
      const fields = view.getInt16(at);
      if (fields === TRAILER) {
        this.ended = true;
        return at + 2;
      }
      if (fields !== this.sinks.length) throw new Error(`a COPY row has ${fields} fields, not ${this.sinks.length}`);
      const end = rowEnd(view, at + 2, fields);
      if (end === -1) return at;
      this.parseRow(view, bytes, at + 2);
      at = end;
    }
    return at;
  }

  finish(): number {
    if (!this.ended) throw new Error(this.carry || !this.headerRead ? 'the binary COPY stream ended inside a row' : 'the binary COPY stream ended without its trailer');
    return this.rows;
  }

  /** A complete row's fields, from just past its field count. */
  private parseRow(view: DataView, bytes: Uint8Array, from: number): void {
    const sinks = this.sinks;
    let at = from;
    for (let i = 0; i < sinks.length; i += 1) {
      const length = view.getInt32(at);
      at += 4;
      (sinks[i] as BinaryFieldSink).pushBinary(view, bytes, at, length);
      if (length !== NULL_LENGTH) at += length;
    }
    this.rows += 1;
    this.progress(this.rows);
  }

  /** Copied, so the rest of the chunk is not kept alive by its tail. */
  private keep(bytes: Buffer, from: number): void {
    this.carry = Buffer.from(bytes.subarray(from));
  }
}

/** Where the rows start, or -1 if the header is not all there yet. */
function headerEnd(bytes: Buffer): number {
  if (bytes.length < HEADER_BYTES) return -1;
  if (!bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  const end = HEADER_BYTES + bytes.readUInt32BE(HEADER_BYTES - 4);
  return end <= bytes.length ? end : -1;
}

/** Just past the row whose `fields` fields start at `from`, or -1 if it is not all there yet. */
function rowEnd(view: DataView, from: number, fields: number): number {
  const size = view.byteLength;
  let at = from;
  for (let field = 0; field < fields; field += 1) {
    if (at + 4 > size) return -1;
    const length = view.getInt32(at);
    at += 4 + (length === NULL_LENGTH ? 0 : length);
  }
  return at <= size ? at : -1;
}
