import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { DriftlineError } from '../../errors';

// Small enough that a chunk's records are garbage before the next young-generation GC: larger
// chunks got their records promoted to the old generation and doubled the peak heap.
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a file in chunks, then checks it did not change, vanish or get replaced meanwhile: a
 * snapshot must be one consistent version of the file, never a truncated one. Such a race is
 * transient, so it is a plain (retryable) error; a retry reads the file again, or finds it gone.
 */
export async function* fileChunks(file: string): AsyncGenerator<Buffer> {
  const handle = await openFile(file);
  try {
    const before = await handle.stat();
    if (!before.isFile()) throw new DriftlineError('InvalidInput', `Data file ${file} is not a regular file`);
    let bytes = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(CHUNK_BYTES), 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      yield bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead);
    }
    await assertUnchanged(file, handle, before, bytes);
  } finally {
    await handle.close();
  }
}

async function openFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DriftlineError('InvalidInput', `Data file not found: ${file}`);
    if (code === 'EACCES' || code === 'EISDIR') throw new DriftlineError('InvalidInput', `Data file ${file} cannot be read (${code})`);
    throw error;
  }
}

async function assertUnchanged(file: string, handle: FileHandle, before: Stats, bytes: number): Promise<void> {
  const after = await handle.stat();
  if (bytes !== before.size || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new Error(`Data file ${file} changed while being read (${before.size} bytes when opened, ${after.size} now, ${bytes} read)`);
  }
  const current = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!current) throw new Error(`Data file ${file} disappeared while being read`);
  if (current.ino !== before.ino || current.dev !== before.dev) throw new Error(`Data file ${file} was replaced while being read`);
}
