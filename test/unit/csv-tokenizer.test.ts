import { describe, expect, it } from 'vitest';
import { CsvTokenizer, type CsvRecord } from '../../lib/data/records/csv-tokenizer';

function tokenize(text: string, chunkSize = text.length, maxRecordChars = 1_000_000): CsvRecord[] {
  const records: CsvRecord[] = [];
  const tokenizer = new CsvTokenizer({ delimiter: ',', maxRecordChars }, (r) => records.push(r));
  for (let i = 0; i < text.length; i += chunkSize) tokenizer.push(text.slice(i, i + chunkSize));
  tokenizer.end();
  return records;
}

const SAMPLE = 'a,b,c\r\n1,"two, with comma","say ""hi"""\r\n\r\n3,"multi\nline",x\n4,,\n"5"';

describe('the CSV tokenizer', () => {
  it('reads quoted fields, doubled quotes, line breaks in quotes, CRLF, and skips empty lines', () => {
    expect(tokenize(SAMPLE)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'], raw: 'a,b,c' },
      { line: 2, fields: ['1', 'two, with comma', 'say "hi"'], raw: '1,"two, with comma","say ""hi"""' },
      { line: 4, fields: ['3', 'multi\nline', 'x'], raw: '3,"multi\nline",x' },
      { line: 6, fields: ['4', '', ''], raw: '4,,' },
      { line: 7, fields: ['5'], raw: '"5"' },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const whole = tokenize(SAMPLE);
    for (const size of [1, 2, 3, 5, 7, 11]) expect(tokenize(SAMPLE, size)).toEqual(whole);
  });

  it('flags text after a closing quote and a quote never closed', () => {
    expect(tokenize('"ab"c,d\n"open,e')).toEqual([
      { line: 1, fields: ['ab', 'd'], raw: '"ab"c,d', problem: 'text after a closing quote' },
      { line: 2, fields: ['open,e'], raw: '"open,e', problem: 'a quoted field is never closed' },
    ]);
  });

  const CUT = 'a quote opened on this line is never properly closed; the lines after it are read on their own';

  it('quarantines only the line of a stray quote and reads the good rows after it, whatever the chunks', () => {
    const good = Array.from({ length: 59 }, (_, i) => `${i + 3},row ${i + 3}`);
    // The stray quote on line 2 would otherwise run to the quote on line 62 and swallow 59 rows.
    const text = ['id,note', '2,"stray', ...good, '62,"quoted",x', '63,last'].join('\n');
    const expected = [
      { line: 1, fields: ['id', 'note'], raw: 'id,note' },
      { line: 2, fields: [], raw: '2,"stray', problem: CUT },
      ...good.map((raw, i) => ({ line: i + 3, fields: raw.split(','), raw })),
      { line: 62, fields: ['62', 'quoted', 'x'], raw: '62,"quoted",x' },
      { line: 63, fields: ['63', 'last'], raw: '63,last' },
    ];
    for (const size of [1, 3, 7, 64, text.length]) expect(tokenize(text, size)).toEqual(expected);
  });

  it('reads the lines after a quote left open at the end of the input', () => {
    for (const size of [1, 4, 100]) {
      expect(tokenize('1,"open\r\n2,b\r\n3,c', size)).toEqual([
        { line: 1, fields: [], raw: '1,"open', problem: CUT },
        { line: 2, fields: ['2', 'b'], raw: '2,b' },
        { line: 3, fields: ['3', 'c'], raw: '3,c' },
      ]);
    }
  });

  it('quarantines a record holding a NUL byte, quoted or not, and only that record', () => {
    const text = 'a,b\n1,x\n2,y\0z\n3,"w\0"\n4,v\n';
    for (const size of [1, 5, text.length]) {
      expect(tokenize(text, size).map((r) => [r.line, r.problem ?? 'ok'])).toEqual([
        [1, 'ok'],
        [2, 'ok'],
        [3, 'it holds a NUL byte: binary data, not text'],
        [4, 'it holds a NUL byte: binary data, not text'],
        [5, 'ok'],
      ]);
    }
  });

  it('skips an oversized record to its end, keeping only a prefix, in small or large chunks', () => {
    const text = `1,ok\n2,"${'x'.repeat(5_000)}\n${'y'.repeat(5_000)}"\n3,ok\n`;
    for (const size of [64, text.length]) {
      const records = tokenize(text, size, 1_000);
      expect(records.map((r) => [r.line, r.problem ?? 'ok'])).toEqual([
        [1, 'ok'],
        [2, 'the record is longer than 1000 characters'],
        [4, 'ok'],
      ]);
      expect(records[1]?.raw.length).toBeLessThanOrEqual(1_001);
    }
  });

  it('takes another delimiter', () => {
    const records: CsvRecord[] = [];
    const tokenizer = new CsvTokenizer({ delimiter: ';', maxRecordChars: 100 }, (r) => records.push(r));
    tokenizer.push('a;"b;c";d,e\n');
    tokenizer.end();
    expect(records[0]?.fields).toEqual(['a', 'b;c', 'd,e']);
  });
});
