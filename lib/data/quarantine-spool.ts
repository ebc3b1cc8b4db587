import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync, type ReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FLUSH_CHARS = 1024 * 1024;

/**
 * Holds quarantined rows' COPY text while the accepted rows stream into the database (one
 * connection runs one COPY at a time). A small buffer spills to a temporary file, so a file
 * whose every row is bad still costs no memory. The caller removes it with `dispose`.
 */
export class QuarantineSpool {
  private buffer = '';
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-quarantine-'));
  private readonly file = path.join(this.dir, 'rows.copy');
  private readonly fd = openSync(this.file, 'w');
  private closed = false;

  add(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= FLUSH_CHARS) this.flush();
  }

  /** Everything added, for COPY … FROM STDIN. */
  read(): ReadStream {
    this.flush();
    this.close();
    return createReadStream(this.file);
  }

  dispose(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  private close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}
