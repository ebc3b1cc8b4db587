/**
 * Codes for UTF-8 byte strings, looked up by the bytes themselves: a category column of a
 * million rows has a few distinct values, so decoding each cell into a JS string only to find it
 * in a Map would make a million strings for nothing. Open addressing on an FNV-1a hash.
 */
export class ByteDictionary {
  /** The distinct values in first-seen order: code i is values[i]. */
  readonly values: string[] = [];
  private keys: Uint8Array[] = [];
  private hashes: number[] = [];
  private slots = new Int32Array(64).fill(-1);

  codeOf(bytes: Uint8Array, start: number, end: number): number {
    const hash = fnv1a(bytes, start, end);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const code = this.slots[slot] as number;
      if (code === -1) return this.add(bytes, start, end, hash, slot);
      if (this.hashes[code] === hash && sameBytes(this.keys[code] as Uint8Array, bytes, start, end)) return code;
    }
  }

  private add(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const code = this.values.length;
    const key = Uint8Array.prototype.slice.call(bytes, start, end);
    this.keys.push(key);
    this.hashes.push(hash);
    this.values.push(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8'));
    this.slots[slot] = code;
    if (this.values.length * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    this.hashes.forEach((hash, code) => {
      let slot = hash & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
      this.slots[slot] = code;
    });
  }
}

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}

function sameBytes(key: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i += 1) if (key[i] !== bytes[start + i]) return false;
  return true;
}
