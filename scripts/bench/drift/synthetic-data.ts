import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import type { ColumnSpecs } from '../../../lib/data/column-spec';
import type { Row } from '../../../lib/data/typed-row';
import { mulberry32 } from '../../../lib/stats/mulberry32';

export const NUMERIC = 16;
export const CATEGORICAL = 4;
/** Every fourth column of the current data is shifted, so the report has drift to find. */
export const SHIFTED_EVERY = 4;
export const CATEGORIES = ['north', 'south', 'east', 'west', 'online', 'phone', 'partner', 'other'];
const CURRENT_SHIFT = 0.5;

/** 16 numeric columns x1…x16 (normal, mean 100, sd 15) and 4 categorical c1…c4 (8 skewed values). */
export const DRIFT_COLUMNS: ColumnSpecs = Object.fromEntries([
  ...Array.from({ length: NUMERIC }, (_, i) => [`x${i + 1}`, { type: 'numeric', nullable: false }]),
  ...Array.from({ length: CATEGORICAL }, (_, i) => [`c${i + 1}`, { type: 'categorical', nullable: false }]),
]);

/**
 * The reference's rows, then the current's (seeded): each row's cells in column order. A shifted
 * column moves numbers by half a standard deviation and skews categories towards the first ones.
 */
function* syntheticCells(rowsPerSide: number): Generator<(number | string)[]> {
  const names = Object.keys(DRIFT_COLUMNS);
  const random = mulberry32(42);
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  for (const shift of [0, CURRENT_SHIFT]) {
    for (let row = 0; row < rowsPerSide; row += 1) {
      yield names.map((name, j) => {
        const shifted = j % SHIFTED_EVERY === 0 ? shift : 0;
        return name.startsWith('x') ? 100 + 15 * normal() + 15 * shifted : (CATEGORIES[Math.min(CATEGORIES.length - 1, Math.floor(random() ** (1 + shifted) * CATEGORIES.length))] as string);
      });
    }
  }
}

/** Both sides as row objects (the monitoring benchmark's in-memory input). */
export function syntheticData(rowsPerSide: number): { columns: ColumnSpecs; reference: Row[]; current: Row[] } {
  const names = Object.keys(DRIFT_COLUMNS);
  const rows = Array.from(syntheticCells(rowsPerSide), (cells) => Object.fromEntries(names.map((name, j) => [name, cells[j] as number | string])));
  return { columns: DRIFT_COLUMNS, reference: rows.slice(0, rowsPerSide), current: rows.slice(rowsPerSide) };
}

/**
 * The same data as one CSV, reference rows first (numbers to 6 decimals), unless the file is
 * already there: what the benchmark ingests as one snapshot and what SciPy reads.
 */
export async function ensureSyntheticCsv(file: string, rowsPerSide: number, say: (line: string) => void): Promise<void> {
  if (existsSync(file)) return;
  say(`drift: writing ${(2 * rowsPerSide).toLocaleString('en-US')} synthetic rows to ${file}`);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let chunk = `${Object.keys(DRIFT_COLUMNS).join(',')}\n`;
  for (const cells of syntheticCells(rowsPerSide)) {
    chunk += `${cells.map((cell) => (typeof cell === 'number' ? cell.toFixed(6) : cell)).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(partial, file);
}
