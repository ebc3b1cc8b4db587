import { describe, expect, it } from 'vitest';
import { ByteDictionary } from '../../lib/data/columns/byte-dictionary';
import { isCopyNull, parseCopyNumber, unescapeCopyField } from '../../lib/data/columns/copy-fields';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const parse = (text: string) => parseCopyNumber(bytes(text), 0, Buffer.byteLength(text));

describe('parseCopyNumber', () => {
  it('reads every double exactly as Number does, in the shortest form and in long and exponent forms', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      texts.push(String(x), x.toExponential(), x.toFixed(6), x.toPrecision(17), String(Math.round(x * 1e6)));
    }
    texts.push('0', '-0', '5e-324', '1.7976931348623157e+308', '9007199254740993', '-9007199254740991', '0.1', '1e21', '1e+22', '1e23', '123456789012345678901234567890', 'Infinity', '-Infinity', '00012.5000');
    for (const text of texts) {
      const value = parse(text);
      if (!Object.is(value, Number(text))) expect({ text, value }).toEqual({ text, value: Number(text) });
    }
  });

  it('reads a field in the middle of a line by its bounds', () => {
    const line = bytes('12.5\t-3e2\t7\n');
    expect([parseCopyNumber(line, 0, 4), parseCopyNumber(line, 5, 9), parseCopyNumber(line, 10, 11)]).toEqual([12.5, -300, 7]);
  });
});

describe('COPY text fields', () => {
  it('tells \\N (null) from text that merely starts with a backslash', () => {
    expect(isCopyNull(bytes('\\N'), 0, 2)).toBe(true);
    expect(isCopyNull(bytes('\\\\N'), 0, 3)).toBe(false);
    expect(isCopyNull(bytes('N'), 0, 1)).toBe(false);
  });

  it('undoes the escapes PostgreSQL writes', () => {
    const field = bytes('a\\tb\\nc\\\\d\\re\\bf\\fg\\vh');
    const out = new Uint8Array(field.length);
    expect(Buffer.from(out.subarray(0, unescapeCopyField(field, 0, field.length, out))).toString()).toBe('a\tb\nc\\d\re\bf\fg\vh');
  });
});

describe('ByteDictionary', () => {
  it('gives each distinct byte string one code, in first-seen order, across rehashes', () => {
    const dictionary = new ByteDictionary();
    const values = Array.from({ length: 1000 }, (_, i) => (i % 2 ? `東京${i}` : `v${i}`));
    const codes = [...values, ...values].map((value) => {
      const b = bytes(value);
      return dictionary.codeOf(b, 0, b.length);
    });
    expect(codes).toEqual([...values.keys(), ...values.keys()]);
    expect(dictionary.values).toEqual(values);
  });
});
