/** PostgreSQL COPY text format: tab-separated, \N for null, backslash escapes. */
export const COPY_NULL = '\\N';

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text as PostgreSQL can store it: a NUL, which text cannot hold, is shown as ␀ (for quarantined rows, never for values). */
export function storableText(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\u2400') : text;
}

/** Escapes text for a COPY text field; the common case (nothing to escape) returns it unchanged. */
export function copyEscape(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c] as string) : text;
}

/** One accepted row as a COPY text line: its row number, then its cells' canonical texts. */
export function copyRow(rowNumber: number, texts: readonly string[]): string {
  let line = String(rowNumber);
  for (let i = 0; i < texts.length; i += 1) line += `\t${texts[i]}`;
  return `${line}\n`;
}

const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

/** Reads COPY text lines back into fields (null for \N): for servers that cannot take COPY FROM STDIN. */
export function parseCopyLines(text: string): (string | null)[][] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t').map((field) => (field === COPY_NULL ? null : field.replace(/\\(.)/g, (_, c: string) => UNESCAPES[c] ?? c))));
}
