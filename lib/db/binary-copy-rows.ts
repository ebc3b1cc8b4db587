/**
 * Rows in PostgreSQL's binary COPY format (COPY … FROM STDIN (FORMAT binary)): the server stores
 * each field as sent, with no text to parse — a fifth of what writing a million predictions cost
 * it in text. Fields are written in the column order of the COPY statement.
 */
export class BinaryCopyRows {
  private bytes: Buffer;
  private length = 0;

  constructor(expectedBytes: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(expectedBytes, 64));
    this.bytes.write(SIGNATURE, 0, 'latin1');
    this.length = SIGNATURE.length;
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  row(fields: number): this {
    this.ensure(2);
    this.bytes.writeInt16BE(fields, this.length);
    this.length += 2;
    return this;
  }

  null(): this {
    return this.int32(-1);
  }

  text(value: string): this {
    this.ensure(4 + value.length * 3);
    const written = this.bytes.write(value, this.length + 4, 'utf8');
    this.bytes.writeInt32BE(written, this.length);
    this.length += 4 + written;
    return this;
  }

  /** jsonb's binary form: a version byte, then the JSON text. */
  jsonb(value: unknown): this {
    const json = JSON.stringify(value);
    this.ensure(5 + json.length * 3);
    this.bytes[this.length + 4] = JSONB_VERSION;
    const written = this.bytes.write(json, this.length + 5, 'utf8');
    this.bytes.writeInt32BE(written + 1, this.length);
    this.length += 5 + written;
    return this;
  }

  int4(value: number): this {
    this.int32(4);
    return this.int32(value);
  }

  float8(value: number): this {
    this.int32(8);
    this.ensure(8);
    this.bytes.writeDoubleBE(value, this.length);
    this.length += 8;
    return this;
  }

  /** An instant given as epoch milliseconds: microseconds since 2000-01-01 UTC, as a 64-bit integer. */
  timestamptz(epochMs: number): this {
    this.int32(8);
    const micros = Math.round((epochMs - POSTGRES_EPOCH_MS) * 1000);
    const high = Math.floor(micros / 2 ** 32);
    this.ensure(8);
    this.bytes.writeInt32BE(high, this.length);
    this.bytes.writeUInt32BE(micros - high * 2 ** 32, this.length + 4);
    this.length += 8;
    return this;
  }

  /** The rows with the format's trailer. */
  finish(): Buffer {
    this.ensure(2);
    this.bytes.writeInt16BE(-1, this.length);
    this.length += 2;
    return this.bytes.subarray(0, this.length);
  }

  private int32(value: number): this {
    this.ensure(4);
    this.bytes.writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  private ensure(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
  }
}

const SIGNATURE = 'PGCOPY\n\xff\r\n\0';
const JSONB_VERSION = 1;
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
