import type { StoredColumn } from '../../db/snapshots';
import { BOOLEAN_DICTIONARY, type Column, type ColumnTable } from './column-table';

/**
 * A column table as one byte string, to store in a bytea and read back as typed arrays with no
 * parsing per value: a 4-byte length, a JSON header (the columns, their dictionaries and where
 * each array starts), then the arrays themselves, each 8-byte aligned, in the machine's byte
 * order (little-endian on every platform Node runs on).
 */
interface Header {
  rowCount: number;
  columns: { name: string; type: StoredColumn['type']; offset: number; dictionary?: string[] }[];
}

const LENGTH_BYTES = 4;
const ALIGN = 8;

export function tableToBytes(table: ColumnTable): Buffer {
  const arrays = table.columns.map(arrayOf);
  const offsets: number[] = [];
  let end = 0;
  for (const array of arrays) {
    offsets.push(end);
    end = aligned(end + array.byteLength);
  }
  const header: Header = {
    rowCount: table.rowCount,
    columns: table.specs.map((spec, i) => {
      const column = table.columns[i] as Column;
      return { name: spec.name, type: spec.type, offset: offsets[i] as number, ...(column.type === 'categorical' && { dictionary: column.dictionary }) };
    }),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = aligned(LENGTH_BYTES + headerBytes.length);
  const bytes = Buffer.alloc(start + end);
  bytes.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(bytes, LENGTH_BYTES);
  arrays.forEach((array, i) => bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), start + (offsets[i] as number)));
  return bytes;
}

/** The table `tableToBytes` wrote; its arrays are copies, aligned whatever the buffer's own offset. */
export function tableFromBytes(bytes: Uint8Array): ColumnTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + LENGTH_BYTES, headerLength).toString('utf8')) as Header;
  const start = aligned(LENGTH_BYTES + headerLength);
  const { rowCount } = header;
  // A copy in a buffer of its own: a Buffer's slice() is a view, and its .buffer the whole (pooled) allocation.
  const slice = (offset: number, width: number) => new Uint8Array(bytes.subarray(start + offset, start + offset + rowCount * width)).buffer;
  return {
    rowCount,
    specs: header.columns.map(({ name, type }) => ({ name, type })),
    columns: header.columns.map((column): Column => {
      switch (column.type) {
        case 'categorical':
          return { type: 'categorical', codes: new Int32Array(slice(column.offset, 4)), dictionary: column.dictionary ?? [] };
        case 'boolean':
          return { type: 'boolean', codes: new Int32Array(slice(column.offset, 4)), dictionary: BOOLEAN_DICTIONARY };
        default:
          return { type: column.type, values: new Float64Array(slice(column.offset, 8)) };
      }
    }),
  };
}

function arrayOf(column: Column): Float64Array | Int32Array {
  return 'values' in column ? column.values : column.codes;
}

function aligned(offset: number): number {
  return Math.ceil(offset / ALIGN) * ALIGN;
}
