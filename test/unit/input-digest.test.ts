import { describe, expect, it } from 'vitest';
import { frameOfTable } from '../../lib/data/columns/frame';
import { tableOfRows } from '../../lib/data/columns/table-of-rows';
import type { Row } from '../../lib/data/typed-row';
import { inputDigests, rowInputDigests } from '../../lib/serving/input-digest';
import { loadPenguins, PENGUIN_COLUMNS } from '../support/vega-data';

const READ = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Island', 'Sex'];

describe('input digests', () => {
  const birds = loadPenguins() as Row[];

  it('are the same for a batch chunk read as columns and for request rows, and ignore columns the model does not read', () => {
    const online = rowInputDigests(birds, PENGUIN_COLUMNS, READ);
    const batch = inputDigests(frameOfTable(tableOfRows(birds, PENGUIN_COLUMNS)), PENGUIN_COLUMNS, READ);
    expect(batch).toEqual(online);
    // The target (Species) is not read: rows without it digest the same.
    const unlabelled = birds.map(({ Species: _, ...rest }) => rest);
    expect(rowInputDigests(unlabelled, PENGUIN_COLUMNS, READ)).toEqual(online);
    // The order the columns are listed in is not part of the input.
    expect(rowInputDigests(birds, PENGUIN_COLUMNS, [...READ].reverse())).toEqual(online);
    // Picked rows digest as they do in the whole.
    const picked = Int32Array.of(5, 0, 17);
    expect(inputDigests(frameOfTable(tableOfRows(birds, PENGUIN_COLUMNS)), PENGUIN_COLUMNS, READ, picked)).toEqual(Array.from(picked, (i) => online[i]));
  });

  it('tell different inputs apart: one changed value, a null against a zero, values swapped between columns', () => {
    const base: Row = { 'Beak Length (mm)': 39.1, 'Beak Depth (mm)': 18.7, 'Flipper Length (mm)': 181, 'Body Mass (g)': 3750, Island: 'Torgersen', Sex: 'MALE' };
    const variants: Row[] = [
      base,
      { ...base, 'Body Mass (g)': 3751 },
      { ...base, 'Body Mass (g)': null },
      { ...base, 'Body Mass (g)': 0 },
      { ...base, Island: 'Biscoe' },
      { ...base, Sex: null },
      { ...base, 'Beak Length (mm)': 18.7, 'Beak Depth (mm)': 39.1 },
    ];
    const digests = rowInputDigests(variants, PENGUIN_COLUMNS, READ);
    expect(new Set(digests).size).toBe(variants.length);
    for (const digest of digests) expect(digest).toMatch(/^[0-9a-f]{32}$/);
  });

  it('give every distinct bird its own digest', () => {
    const digests = rowInputDigests(birds, PENGUIN_COLUMNS, READ);
    const distinctInputs = new Set(birds.map((bird) => JSON.stringify(READ.map((column) => bird[column] ?? null))));
    expect(new Set(digests).size).toBe(distinctInputs.size);
  });
});
