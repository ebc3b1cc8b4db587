import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync } from 'node:fs';
import { ColumnSpec, type ColumnSpecs } from '../../../lib/data/column-spec';

/** The benchmark's 20 columns: the usual mix of a sales table. */
export const BENCH_COLUMNS: ColumnSpecs = Object.fromEntries(
  Object.entries({
    id: { type: 'integer' },
    ts: { type: 'timestamp' },
    ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, { type: 'numeric' }])),
    units: { type: 'integer', min: 0 },
    price_cents: { type: 'integer', min: 0 },
    returns: { type: 'integer', nullable: true },
    region: { type: 'categorical', values: ['north', 'south', 'east', 'west'] },
    channel: { type: 'categorical' },
    product: { type: 'categorical' },
    promo: { type: 'boolean' },
    target: { type: 'numeric' },
  }).map(([name, spec]) => [name, ColumnSpec.parse(spec)]),
);

const REGIONS = ['north', 'south', 'east', 'west'];
const CHANNELS = ['web', 'store', 'phone'];
const START = Date.UTC(2020, 0, 1);

/**
 * Writes a seeded CSV of `rows` rows (same content every time) unless it is already there:
 * generating a million rows takes longer than ingesting them.
 */
export async function ensureBenchCsv(file: string, rows: number, say: (line: string) => void): Promise<void> {
  if (existsSync(file)) return;
  say(`generating ${rows.toLocaleString('en-US')} rows into ${file}`);
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  let chunk = `${Object.keys(BENCH_COLUMNS).join(',')}\n`;
  for (let i = 0; i < rows; i += 1) {
    const xs = Array.from({ length: 10 }, () => (random() * 1000 - 500).toFixed(4)).join(',');
    const returns = i % 7 === 0 ? '' : Math.floor(random() * 5);
    chunk += `${i},${new Date(START + i * 60_000).toISOString()},${xs},${Math.floor(random() * 100)},${Math.floor(random() * 10_000)},${returns},`;
    chunk += `${REGIONS[i % 4]},${CHANNELS[i % 3]},p${Math.floor(random() * 200)},${random() < 0.3},${(random() * 100).toFixed(3)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(partial, file);
}
