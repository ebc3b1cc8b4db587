import { RAW_PREFIX_CHARS } from './source-record';

/** One CSV record as written: its fields, the line it starts on and its raw text. */
export interface CsvRecord {
  /** 1-based line of the record's first character (a quoted field may span several lines). */
  line: number;
  fields: string[];
  /** The record's text without its line break; cut to a prefix when the record is oversized. */
  raw: string;
  /** Why the record cannot be read as fields: it goes to quarantine with this reason. */
  problem?: string;
}

export interface CsvTokenizerOptions {
  delimiter: string;
  /** Longer records are skipped to their end, not buffered: memory stays flat whatever the input. */
  maxRecordChars: number;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

const TEXT_AFTER_QUOTE = 'text after a closing quote';
const NEVER_CLOSED = 'a quoted field is never closed';
const CUT_AT_LINE_END = 'a quote opened on this line is never properly closed; the lines after it are read on their own';
const HOLDS_NUL = 'it holds a NUL byte: binary data, not text';

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just after a quote inside a quoted field: an escaped quote ("") or the field's end. */
  QuoteInQuoted,
}

/**
 * An RFC 4180 tokenizer fed text in chunks of any size: quoted fields with delimiters, doubled
 * quotes and line breaks, LF or CRLF line ends. Empty lines are skipped. It keeps its state
 * between chunks instead of re-scanning, so a record split across chunks costs nothing extra.
 *
 * A stray quote must not swallow the good rows after it: a record whose quoted field runs past
 * its first line and then turns out broken (never closed, or text after the closing quote) is
 * cut back to that first line, quarantined, and the lines after it are read again on their own.
 * A record holding a NUL byte is quarantined too: PostgreSQL text cannot hold one.
 */
export class CsvTokenizer {
  private readonly delimiter: number;
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = '';
  private rawCarry = '';
  private line = 1;
  private recordLine = 1;
  private problem: string | undefined;
  private oversized = false;
  /** The unfinished record may hold a NUL: records are searched for one only then. */
  private nulInView = false;
  /** Text to read again after a broken record was cut back to its first line. */
  private resume: string | undefined;

  constructor(
    private readonly options: CsvTokenizerOptions,
    private readonly onRecord: (record: CsvRecord) => void,
  ) {
    this.delimiter = options.delimiter.charCodeAt(0);
  }

  push(text: string): void {
    for (let rest: string | undefined = text; rest !== undefined; ) rest = this.scan(rest);
  }

  /** Emits the last record when the input does not end with a line break. */
  end(): void {
    for (;;) {
      if (this.state === State.Quoted) this.problem ??= NEVER_CLOSED;
      const pending = this.state !== State.FieldStart || this.fields.length > 0 || this.rawCarry.length > 0;
      if (pending) this.endRecord(this.state === State.Unquoted ? stripCr(this.field) : this.field, '', 0, 0);
      this.field = '';
      const again = this.resume;
      if (again === undefined) return;
      this.resume = undefined;
      this.push(again);
    }
  }

  /** Reads one piece of text; returns what is to be read next when a broken record was cut back. */
  private scan(text: string): string | undefined {
    const n = text.length;
    if (!this.nulInView) this.nulInView = text.includes('\0');
    const delimiter = this.delimiter;
    let recordStart = 0;
    let fieldStart = 0;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.FieldStart:
          if (text.charCodeAt(i) === QUOTE) {
            this.state = State.Quoted;
            i += 1;
            break;
          }
          this.state = State.Unquoted;
          fieldStart = i;
          break;
        case State.Unquoted: {
          let j = i;
          let c = 0;
          while (j < n && (c = text.charCodeAt(j)) !== delimiter && c !== LF) j += 1;
          if (j === n) {
            this.field += text.slice(fieldStart, n);
            i = n;
            break;
          }
          const value = this.field + text.slice(fieldStart, j);
          this.field = '';
          i = j + 1;
          if (c === LF) {
            this.endRecord(stripCr(value), text, recordStart, j);
            recordStart = i;
            if (this.resume !== undefined) return this.resumeWith(text, i);
          } else {
            this.fields.push(value);
            this.state = State.FieldStart;
          }
          break;
        }
        case State.Quoted: {
          const k = text.indexOf('"', i);
          const end = k === -1 ? n : k;
          this.line += countLineFeeds(text, i, end);
          this.field += text.slice(i, end);
          i = end;
          if (k !== -1) {
            this.state = State.QuoteInQuoted;
            i += 1;
          }
          break;
        }
        case State.QuoteInQuoted: {
          const c = text.charCodeAt(i);
          i += 1;
          if (c === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
          } else if (c === delimiter) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
          } else if (c === LF) {
            const value = this.field;
            this.field = '';
            this.endRecord(value, text, recordStart, i - 1);
            recordStart = i;
            if (this.resume !== undefined) return this.resumeWith(text, i);
          } else if (c !== CR) {
            this.problem ??= TEXT_AFTER_QUOTE;
          }
          break;
        }
      }
    }
    this.carry(text, recordStart);
    if (this.nulInView) this.nulInView = this.rawCarry.includes('\0');
    return undefined;
  }

  /** The cut record's later lines, then the rest of this piece of text. */
  private resumeWith(text: string, from: number): string {
    const again = (this.resume as string) + text.slice(from);
    this.resume = undefined;
    // Whatever NUL was ahead is still ahead.
    this.nulInView = again.includes('\0');
    return again;
  }

  /** Keeps the unfinished record's raw text for the next chunk, or only a prefix once it is too long. */
  private carry(text: string, recordStart: number): void {
    this.rawCarry += text.slice(recordStart);
    if (this.rawCarry.length + this.field.length > this.options.maxRecordChars) this.oversized = true;
    if (this.oversized) {
      this.rawCarry = this.rawCarry.slice(0, RAW_PREFIX_CHARS);
      this.field = '';
      this.fields = [];
    }
  }

  private endRecord(lastField: string, text: string, recordStart: number, end: number): void {
    const raw = stripCr(this.rawCarry + text.slice(recordStart, end));
    const line = this.recordLine;
    this.line += 1;
    this.recordLine = this.line;
    this.state = State.FieldStart;
    const fields = this.fields;
    this.fields = [];
    this.rawCarry = '';
    const tooLong = this.oversized || raw.length > this.options.maxRecordChars;
    const quoteBroken = this.problem === TEXT_AFTER_QUOTE || this.problem === NEVER_CLOSED;
    const firstLineEnd = quoteBroken && !tooLong ? raw.indexOf('\n') : -1;
    const problem = this.problem ?? (tooLong ? `the record is longer than ${this.options.maxRecordChars} characters` : undefined);
    this.oversized = false;
    this.problem = undefined;
    if (firstLineEnd !== -1) return this.cutToFirstLine(raw, firstLineEnd, line, text.charCodeAt(end) === LF);
    const blank = fields.length === 0 && lastField === '' && raw === '';
    if (blank) return;
    fields.push(lastField);
    const nul = this.nulInView && !tooLong && raw.includes('\0');
    const record = tooLong ? { line, fields: [], raw: `${raw.slice(0, RAW_PREFIX_CHARS)}…` } : { line, fields, raw };
    const reason = nul ? HOLDS_NUL : problem;
    this.onRecord(reason === undefined ? record : { ...record, problem: reason });
  }

  /** Quarantines the first line of a broken multi-line record and queues the lines after it to be read again. */
  private cutToFirstLine(raw: string, firstLineEnd: number, line: number, terminated: boolean): void {
    this.onRecord({ line, fields: [], raw: stripCr(raw.slice(0, firstLineEnd)), problem: CUT_AT_LINE_END });
    this.line = line + 1;
    this.recordLine = this.line;
    this.resume = raw.slice(firstLineEnd + 1) + (terminated ? '\n' : '');
  }
}

function stripCr(text: string): string {
  return text.charCodeAt(text.length - 1) === CR ? text.slice(0, -1) : text;
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count += 1;
  return count;
}
