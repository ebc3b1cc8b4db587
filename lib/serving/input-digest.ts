import type { ColumnSpecs } from '../data/column-spec';
import { NULL_CODE } from '../data/columns/column-table';
import { frameOfRows, type Frame } from '../data/columns/frame';
import type { Row } from '../data/typed-row';

/**
 * The row's values in the columns the model reads (InputSchema.required), null where absent: what
 * an online prediction logs as its inputs, which serving drift compares with the training data.
 */
export function modelInputs(row: Row, read: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const column of read) values[column] = row[column] ?? null;
  return values;
}

/** The input digests of request rows (checked against `columns`): the same as a batch's for the same values. */
export function rowInputDigests(rows: readonly Row[], columns: ColumnSpecs, read: readonly string[]): string[] {
  return inputDigests(frameOfRows(rows, columns), columns, read);
}

/**
 * The input digest logged with every prediction: a 128-bit fingerprint of the values of the
 * columns the model reads (null where absent), so the same input has the same digest whether it was
 * scored in a batch or served online, whatever else the row carries (a key, the target).
 *
 * It is computed column by column over typed arrays — a million rows take milliseconds, where a
 * sha256 of each row's JSON took seconds of a batch scoring run. It identifies an input for lineage
 * and for spotting the same input scored twice; it is not a cryptographic hash (no one gains by
 * forging one: the inputs are the caller's own).
 */
export function inputDigests(frame: Frame, columns: ColumnSpecs, read: readonly string[], rows?: ArrayLike<number>): string[] {
  const count = rows?.length ?? frame.rowCount;
  const positions = rows ?? Int32Array.from({ length: count }, (_, r) => r);
  const lanes = new Uint32Array(count * LANES);
  for (let r = 0; r < count; r += 1) lanes.set(SEEDS, r * LANES);
  for (const name of [...read].sort()) {
    const type = columns[name]?.type;
    if (type === undefined) throw new Error(`input column "${name}" is not declared`);
    const [salt] = stringWords(name);
    const words = valueWords(frame, name, type, positions);
    for (let r = 0; r < count; r += 1) {
      const high = words[r * 2] as number;
      const low = words[r * 2 + 1] as number;
      const base = r * LANES;
      // The high word feeds two lanes and the low word the other two, each salted by the column's name.
      lanes[base] = block(lanes[base] as number, high ^ salt);
      lanes[base + 1] = block(lanes[base + 1] as number, high ^ ~salt);
      lanes[base + 2] = block(lanes[base + 2] as number, low ^ salt);
      lanes[base + 3] = block(lanes[base + 3] as number, low ^ ~salt);
    }
  }
  for (let r = 0; r < count; r += 1) finish(lanes, r * LANES);
  // The lanes' bytes as they lie in memory, read as hex once for the whole chunk.
  const hex = Buffer.from(lanes.buffer, lanes.byteOffset, lanes.byteLength).toString('hex');
  return Array.from({ length: count }, (_, r) => hex.slice(r * HEX_PER_ROW, (r + 1) * HEX_PER_ROW));
}

const LANES = 4;
const HEX_PER_ROW = LANES * 8;
const SEEDS = Uint32Array.of(0x9747b28c, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f);
/** What a null contributes: no value's words (a NaN here is always null: values are never NaN). */
const NULL_WORDS = [0x7ff80001, 0x6e756c6c] as const;

/** Each row's value of a column as two 32-bit words, high then low: a number's float64 bits, a category's string hash. */
function valueWords(frame: Frame, name: string, type: string, positions: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(positions.length * 2);
  if (type === 'categorical' || type === 'boolean') {
    const { codes, dictionary } = frame.codes(name);
    const hashed = dictionary.map((value) => (typeof value === 'boolean' ? [BOOLEAN_WORD, value ? 1 : 0] : stringWords(value)));
    for (let r = 0; r < positions.length; r += 1) {
      const code = codes[positions[r] as number] as number;
      const pair = code === NULL_CODE ? NULL_WORDS : (hashed[code] as readonly number[]);
      words[r * 2] = pair[0] as number;
      words[r * 2 + 1] = pair[1] as number;
    }
    return words;
  }
  const values = frame.numbers(name);
  // Float64Array's bytes are little-endian on every platform Node runs on: word 1 is the high half.
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let r = 0; r < positions.length; r += 1) {
    const at = positions[r] as number;
    const missing = Number.isNaN(values[at]);
    words[r * 2] = missing ? NULL_WORDS[0] : (bits[at * 2 + 1] as number);
    words[r * 2 + 1] = missing ? NULL_WORDS[1] : (bits[at * 2] as number);
  }
  return words;
}

const BOOLEAN_WORD = 0x626f6f6c;

/** Two independent 32-bit hashes of a string's UTF-16 code units. */
function stringWords(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [fmix(a), fmix(b)];
}

/** murmur3's block step. */
function block(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let mixed = h ^ k;
  mixed = (mixed << 13) | (mixed >>> 19);
  return (Math.imul(mixed, 5) + 0xe6546b64) >>> 0;
}

/** murmur3's finalisation, with the lanes folded into each other so every output bit depends on all four. */
function finish(lanes: Uint32Array, base: number): void {
  for (let round = 0; round < 2; round += 1) {
    const sum = ((lanes[base] as number) + (lanes[base + 1] as number) + (lanes[base + 2] as number) + (lanes[base + 3] as number)) >>> 0;
    lanes[base] = fmix(sum);
    for (let lane = 1; lane < LANES; lane += 1) lanes[base + lane] = fmix(((lanes[base + lane] as number) + sum) >>> 0);
  }
}

function fmix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
