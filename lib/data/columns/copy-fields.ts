/**
 * Reading PostgreSQL COPY text fields straight from the bytes of the stream: numbers without
 * making a string of each cell, text unescaped only when it holds a backslash.
 */

const TAB = 0x09;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_N = 0x4e;

/** Powers of ten a double holds exactly: the range where one multiply or divide is correctly rounded. */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_MANTISSA = 2 ** 53;

/** True for the field `\N`, COPY's null. */
export function isCopyNull(bytes: Uint8Array, start: number, end: number): boolean {
  return end - start === 2 && bytes[start] === BACKSLASH && bytes[start + 1] === LOWER_N;
}

/**
 * The double a decimal field denotes, exactly as `Number(text)` would read it. The common case
 * (at most 15–16 significant digits, a small exponent: what PostgreSQL prints for float8) is
 * Clinger's fast path: an exact integer mantissa times or divided by an exact power of ten is one
 * correctly rounded operation. Anything else (long mantissas, huge exponents) goes through
 * `Number` on the field's text, so every value is the one the row path reads.
 */
export function parseCopyNumber(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative || bytes[i] === PLUS) i += 1;
  let mantissa = 0;
  let scale = 0;
  let digits = 0;
  for (; i < end; i += 1) {
    const d = (bytes[i] as number) - ZERO;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits += 1;
  }
  if (i < end && bytes[i] === DOT) {
    for (i += 1; i < end; i += 1) {
      const d = (bytes[i] as number) - ZERO;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      scale -= 1;
      digits += 1;
    }
  }
  if (i < end && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
    i += 1;
    const negativeExponent = bytes[i] === MINUS;
    if (negativeExponent || bytes[i] === PLUS) i += 1;
    let exponent = 0;
    for (; i < end; i += 1) {
      const d = (bytes[i] as number) - ZERO;
      if (d < 0 || d > 9) break;
      exponent = exponent * 10 + d;
    }
    scale += negativeExponent ? -exponent : exponent;
  }
  if (i !== end || digits === 0 || mantissa >= MAX_EXACT_MANTISSA || scale < -22 || scale > 22) return slowNumber(bytes, start, end);
  const magnitude = scale >= 0 ? mantissa * (EXACT_POW10[scale] as number) : mantissa / (EXACT_POW10[-scale] as number);
  return negative ? -magnitude : magnitude;
}

function slowNumber(bytes: Uint8Array, start: number, end: number): number {
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
}

const UNESCAPED: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: TAB, 0x76: 0x0b };

/**
 * The field's text bytes with COPY's backslash escapes undone, written into `out` (at least as
 * long as the field); returns the length. Fields without a backslash need no call.
 */
export function unescapeCopyField(bytes: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let length = 0;
  for (let i = start; i < end; i += 1) {
    let byte = bytes[i] as number;
    if (byte === BACKSLASH && i + 1 < end) {
      i += 1;
      byte = bytes[i] as number;
      byte = UNESCAPED[byte] ?? byte;
    }
    out[length] = byte;
    length += 1;
  }
  return length;
}

export function hasBackslash(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if (bytes[i] === BACKSLASH) return true;
  return false;
}
