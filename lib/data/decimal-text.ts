/** What readDecimal learned about a cell's text. */
export interface DecimalReading {
  value: number;
  /**
   * True when the text is exactly what String(value) prints, so it can be stored as it is: no
   * sign but "-", no exponent, no leading or trailing zeros, at most 15 significant digits (every
   * such decimal survives the round trip through a double), and within JavaScript's
   * plain-notation range (at most five zeros after "0.").
   */
  canonical: boolean;
}

const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
/** 10^k is exact in a double up to 10^22. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Reads decimal notation, `[+-]digits[.digits][e[+-]digits]`, into `out` and returns false for
 * anything else: Number() alone would accept hex, binary, "Infinity" and blank text. Canonical
 * text of at most 15 digits is converted here, as an exact integer divided by an exact power of
 * ten (one correctly rounded division, so the same double Number() gives); the rest by Number().
 * This, not the parsing, used to be most of the cost of canonical row text.
 */
export function readDecimal(text: string, out: DecimalReading): boolean {
  const n = text.length;
  let i = 0;
  const sign = text.charCodeAt(0);
  if (sign === MINUS || sign === PLUS) i = 1;
  const intStart = i;
  let mantissa = 0;
  let c = 0;
  while (i < n && (c = text.charCodeAt(i)) >= ZERO && c <= NINE) {
    mantissa = mantissa * 10 + (c - ZERO);
    i += 1;
  }
  const intDigits = i - intStart;
  let fracDigits = 0;
  let hasDot = false;
  if (i < n && text.charCodeAt(i) === DOT) {
    hasDot = true;
    i += 1;
    const fracStart = i;
    while (i < n && (c = text.charCodeAt(i)) >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      i += 1;
    }
    fracDigits = i - fracStart;
  }
  if (intDigits + fracDigits === 0) return false;
  if (i < n) return readExponent(text, i, out);
  const leadingZeros = countLeadingZeros(text, intStart, intDigits, fracDigits);
  const significant = intDigits + fracDigits - leadingZeros;
  out.canonical =
    sign !== PLUS &&
    intDigits > 0 &&
    (intDigits === 1 || text.charCodeAt(intStart) !== ZERO) &&
    (hasDot ? fracDigits > 0 && text.charCodeAt(n - 1) !== ZERO : true) &&
    significant <= 15 &&
    // "0.000001" prints as such, "0.0000001" as "1e-7"; "-0" prints as "0".
    (intDigits > 1 || text.charCodeAt(intStart) !== ZERO || (hasDot ? leadingZeros - 1 <= 5 : sign !== MINUS));
  out.value = out.canonical ? (sign === MINUS ? -mantissa : mantissa) / (POWERS_OF_TEN[fracDigits] as number) : Number(text);
  return true;
}

function readExponent(text: string, at: number, out: DecimalReading): boolean {
  const e = text.charCodeAt(at);
  if (e !== 101 && e !== 69) return false;
  let i = at + 1;
  if (i < text.length && (text.charCodeAt(i) === PLUS || text.charCodeAt(i) === MINUS)) i += 1;
  const digitsStart = i;
  while (i < text.length && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= NINE) i += 1;
  if (i === digitsStart || i < text.length) return false;
  out.value = Number(text);
  out.canonical = false;
  return true;
}

/** Zeros before the first significant digit, across the integer part and the fraction. */
function countLeadingZeros(text: string, intStart: number, intDigits: number, fracDigits: number): number {
  let zeros = 0;
  const total = intDigits + fracDigits;
  for (let k = 0; k < total; k += 1) {
    const at = k < intDigits ? intStart + k : intStart + k + 1;
    if (text.charCodeAt(at) !== ZERO) break;
    zeros += 1;
  }
  return zeros;
}
