import type { Pool } from '../../db/pool';
import type { ColumnSpecs } from '../column-spec';
import type { DataSource, FileFormat } from '../source-spec';
import { fileChunks } from './file-chunks';
import { postgresChunks } from './postgres-chunks';
import { resolveSourcePath } from './resolve-source';
import { urlChunks } from './url-chunks';

/** A source opened for reading: its bytes, how they are laid out, and a name for messages. */
export interface OpenedSource {
  /** "file /data/sales.csv", "http://…", "postgres query": used in every error message. */
  origin: string;
  format: FileFormat;
  delimiter: string;
  chunks: AsyncIterable<Uint8Array>;
}

export interface SourceContext {
  /** Where relative file paths resolve: the spec's folder. */
  specDir: string;
  /** Driftline's own database, read by a postgres source without databaseUrlEnv. */
  pool: Pool;
  signal?: AbortSignal;
}

/** Opens any declared source as a stream of bytes; nothing is read until the chunks are iterated. */
export function openSource(source: DataSource, columns: ColumnSpecs, context: SourceContext): OpenedSource {
  switch (source.kind) {
    case 'file':
    case 'package-file': {
      const file = resolveSourcePath(source, context.specDir);
      return { origin: file, format: source.format, delimiter: source.delimiter, chunks: fileChunks(file) };
    }
    case 'url':
      return { origin: source.url, format: source.format, delimiter: source.delimiter, chunks: urlChunks(source.url, context.signal) };
    case 'postgres':
      return {
        origin: source.query !== undefined ? 'the source query' : `table ${source.table}`,
        format: 'csv',
        delimiter: ',',
        chunks: postgresChunks(source, Object.keys(columns), context.pool),
      };
  }
}
