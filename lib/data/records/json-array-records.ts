import { DriftlineError } from '../../errors';
import type { ColumnSpecs } from '../column-spec';
import { jsonObjectRecord, tooLongRecord } from './jsonl-records';
import { MAX_RECORD_CHARS, RAW_PREFIX_CHARS, type SourceRecord } from './source-record';

const enum Scan {
  /** Before the array's opening bracket. */
  Before,
  /** Inside the array, between elements. */
  Between,
  /** Inside an element. */
  Element,
  /** After the closing bracket. */
  After,
}

/**
 * A JSON array of objects (`[{…}, {…}]`, as many tools export) → records keyed by column name, in
 * batches. The text is scanned, not parsed whole: each element is cut out and parsed on its own,
 * so memory stays flat whatever the file's size, and one bad element is quarantined (with the
 * line it starts on) without sinking the others.
 */
export async function* jsonArrayRecords(texts: AsyncIterable<string>, columns: ColumnSpecs, origin: string): AsyncGenerator<SourceRecord[]> {
  const names = Object.keys(columns);
  const cutter = new ElementCutter(origin);
  for await (const text of texts) {
    const batch = cutter.push(text).map((element) => toRecord(element, names));
    if (batch.length > 0) yield batch;
  }
  cutter.end();
}

interface Element {
  line: number;
  text: string;
  oversized: boolean;
}

function toRecord(element: Element, names: string[]): SourceRecord {
  return element.oversized ? tooLongRecord(element.line, element.text) : jsonObjectRecord(element.line, element.text.trim(), names, 'element');
}

/** Cuts a JSON array's text, fed in chunks of any size, into the text of its elements. */
class ElementCutter {
  private scan = Scan.Before;
  private line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private element: Element = { line: 1, text: '', oversized: false };

  constructor(private readonly origin: string) {}

  push(text: string): Element[] {
    const elements: Element[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i] as string;
      if (this.scan === Scan.Element) {
        if (!this.endsElement(c)) {
          if (c === '\n') this.line += 1;
          continue;
        }
        elements.push(this.take(text.slice(start, i)));
        this.scan = c === ']' ? Scan.After : Scan.Between;
        continue;
      }
      if (c === '\n') this.line += 1;
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || (c === '\uFEFF' && this.scan === Scan.Before)) continue;
      if (this.scan === Scan.Before) {
        if (c !== '[') throw this.notAnArray(c);
        this.scan = Scan.Between;
      } else if (this.scan === Scan.After) {
        throw new DriftlineError('InvalidInput', `${this.origin}: text after the end of the JSON array (line ${this.line})`);
      } else if (c === ']') {
        this.scan = Scan.After;
      } else if (c !== ',') {
        this.scan = Scan.Element;
        this.element = { line: this.line, text: '', oversized: false };
        start = i;
        i -= 1;
      }
    }
    if (this.scan === Scan.Element) this.keep(text.slice(start));
    return elements;
  }

  end(): void {
    if (this.scan === Scan.Before) throw new DriftlineError('InvalidInput', `${this.origin} is empty`);
    if (this.scan !== Scan.After) throw new DriftlineError('InvalidInput', `${this.origin}: the JSON array is never closed (the text ends on line ${this.line})`);
  }

  /** Follows strings and nesting; true at the comma or bracket that closes the element. */
  private endsElement(c: string): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === '\\') this.escaped = true;
      else if (c === '"') this.inString = false;
      return false;
    }
    if (c === '"') this.inString = true;
    else if (c === '{' || c === '[') this.depth += 1;
    else if ((c === '}' || c === ']') && this.depth > 0) this.depth -= 1;
    else if (this.depth === 0 && (c === ',' || c === ']')) return true;
    return false;
  }

  /** An element's text so far; past the size limit only a prefix is kept, the rest skipped. */
  private keep(text: string): void {
    if (this.element.oversized) return;
    this.element.text += text;
    if (this.element.text.length > MAX_RECORD_CHARS) this.element = { ...this.element, text: this.element.text.slice(0, RAW_PREFIX_CHARS), oversized: true };
  }

  private take(rest: string): Element {
    this.keep(rest);
    const element = this.element;
    this.element = { line: this.line, text: '', oversized: false };
    return element;
  }

  private notAnArray(c: string): DriftlineError {
    const hint = c === '{' ? ' (one object per line is "format": "jsonl")' : '';
    return new DriftlineError('InvalidInput', `${this.origin} is not a JSON array: it starts with ${JSON.stringify(c)}, not "["${hint}`);
  }
}
