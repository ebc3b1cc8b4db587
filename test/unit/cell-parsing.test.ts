import { describe, expect, it } from 'vitest';
import { cellParser } from '../../lib/data/cell-parser';
import { INVALID } from '../../lib/data/cell-types';
import { ColumnSpec } from '../../lib/data/column-spec';
import { readDecimal } from '../../lib/data/decimal-text';
import { parseTimestamp } from '../../lib/data/timestamp';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

describe('reading decimal text', () => {
  const reading = { value: 0, canonical: false };

  it.each(['0', '-0', '+1', '1.50', '1.', '.5', '0.000001', '0.0000001', '1e3', '1E-3', '123456789012345', '1234567890123456', '1e400', '-499.9922'])(
    '%s gives the value Number() gives, and is canonical only if String() prints it so',
    (text) => {
      expect(readDecimal(text, reading)).toBe(true);
      expect(Object.is(reading.value, Number(text))).toBe(true);
      if (reading.canonical) expect(String(reading.value)).toBe(text);
    },
  );

  it.each(['', '-', '.', 'abc', '0x1A', '0b101', 'NaN', 'Infinity', '1e', 'e3', '1.2.3', '1_000', ' 1'])('refuses %j', (text) => {
    expect(readDecimal(text, reading)).toBe(false);
  });

  it('agrees with Number() on 100,000 random decimals, and its canonical texts print back unchanged', () => {
    const disagreements: string[] = [];
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 100_000; k += 1) {
      const digits = Array.from({ length: 1 + Math.floor(random() * 19) }, () => Math.floor(random() * 10)).join('');
      const dot = Math.floor(random() * digits.length) + 1;
      const text = `${random() < 0.3 ? '-' : ''}${digits.slice(0, dot)}${dot < digits.length ? `.${digits.slice(dot)}` : ''}`;
      const valid = readDecimal(text, reading);
      if (valid !== DECIMAL.test(text) || reading.value !== Number(text) || (reading.canonical && String(reading.value) !== text)) {
        disagreements.push(text);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('timestamps', () => {
  it.each([
    ['2024-01-31', '2024-01-31T00:00:00.000Z'],
    ['2024-01-31T12:30', '2024-01-31T12:30:00.000Z'],
    ['2024-01-31 12:30:15', '2024-01-31T12:30:15.000Z'],
    ['2024-01-31T12:30:15.123456Z', '2024-01-31T12:30:15.123Z'],
    ['2024-01-31T12:30:15+02:00', '2024-01-31T10:30:15.000Z'],
    ['2024-01-31 12:30:15-0530', '2024-01-31T18:00:15.000Z'],
    ['2024-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as UTC unless it names an offset', (text, iso) => {
    expect(new Date(parseTimestamp(text) as number).toISOString()).toBe(iso);
  });

  it.each(['2023-02-29', '2024-13-01', '2024-01-32', '2024-01-01T24:00', '1', 'January 5, 2024', '2024-01-01T00:00:00.000z '])('refuses %j', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });
});

describe('a column parser', () => {
  const parse = (spec: unknown, input: unknown) => {
    const texts: string[] = [];
    const parser = cellParser('c', ColumnSpec.parse(spec));
    const value = parser.parse(input, texts, 0);
    return value === INVALID ? { invalid: parser.explain(input) } : { value, text: texts[0] };
  };

  it('writes each value in one canonical text, whatever the source wrote', () => {
    expect(parse({ type: 'numeric' }, ' 1.50 ')).toEqual({ value: 1.5, text: '1.5' });
    expect(parse({ type: 'numeric' }, 2)).toEqual({ value: 2, text: '2' });
    expect(parse({ type: 'integer' }, '1e3')).toEqual({ value: 1000, text: '1000' });
    expect(parse({ type: 'boolean' }, 'YES')).toEqual({ value: true, text: 't' });
    expect(parse({ type: 'timestamp' }, '2024-01-01')).toEqual({ value: Date.UTC(2024, 0, 1), text: '2024-01-01T00:00:00.000Z' });
    expect(parse({ type: 'categorical' }, 'a\tb\\c')).toEqual({ value: 'a\tb\\c', text: 'a\\tb\\\\c' });
    expect(parse({ type: 'numeric', nullable: true }, '')).toEqual({ value: null, text: '\\N' });
  });

  it('explains each broken rule', () => {
    expect(parse({ type: 'numeric' }, undefined)).toEqual({ invalid: 'column "c" is missing' });
    expect(parse({ type: 'numeric' }, null)).toEqual({ invalid: 'column "c" is empty but not nullable' });
    expect(parse({ type: 'numeric', max: 10 }, '11')).toEqual({ invalid: 'column "c": "11" is outside [-∞, 10]' });
    expect(parse({ type: 'timestamp', min: '2024-01-01' }, '2023-12-31')).toEqual({ invalid: 'column "c": "2023-12-31" is outside [2024-01-01, ∞]' });
    expect(parse({ type: 'integer' }, String(2 ** 53 + 2))).toEqual({ invalid: 'column "c": "9007199254740994" is not a valid integer (not a whole number within ±2^53)' });
    expect(parse({ type: 'categorical', values: ['a'] }, 'b')).toEqual({ invalid: 'column "c": "b" is not one of the allowed values (a)' });
    expect(parse({ type: 'categorical' }, 'nul\0byte')).toEqual({ invalid: 'column "c": "nul\\u0000byte" is not a valid categorical (it holds a NUL character)' });
    expect(parse({ type: 'numeric' }, '-inf')).toEqual({ invalid: 'column "c": "-inf" is not a valid numeric (NaN and infinities are not accepted)' });
  });

  it('refuses rules that do not fit the column type', () => {
    const issues = (spec: unknown) => ColumnSpec.safeParse(spec).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ type: 'categorical', min: 1 })).toEqual(['min: a categorical column has no range']);
    expect(issues({ type: 'timestamp', max: 5 })).toEqual(['max: must be an ISO timestamp for a timestamp column']);
    expect(issues({ type: 'numeric', values: ['1'] })).toEqual(['values: only a categorical column lists allowed values']);
    expect(issues({ type: 'timestamp', min: 'yesterday' })?.[0]).toMatch(/^min: /);
  });
});
