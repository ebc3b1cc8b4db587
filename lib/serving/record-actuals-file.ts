import path from 'node:path';
import { DataSource } from '../data/source-spec';
import { openSource } from '../data/sources/open-source';
import { inTransaction, type Pool } from '../db/pool';
import { recordActuals } from '../db/predictions';
import { DriftlineError } from '../errors';
import { taskOf, type PipelineSpec } from '../spec/pipeline-spec';
import { actualsColumns, readActuals, type RefusedActual } from './read-actuals';

/** Refused lines listed with their reasons; the rest are counted. */
export const LISTED_REFUSALS = 5;

export interface ActualsFile {
  file: string;
  format?: 'csv' | 'jsonl' | 'json';
  /** The column holding each outcome's row key. */
  key: string;
  recordedBy: string;
}

export interface RecordedActuals {
  recorded: number;
  /** Of them, outcomes whose row key has a logged prediction. */
  matched: number;
  refused: number;
  refusedLines: RefusedActual[];
}

/**
 * Records a file of outcomes for a pipeline, read with the record readers and column rules of
 * ingest: all of the file's valid lines in one transaction (a failure halfway records nothing),
 * refused lines counted with their reasons.
 */
export async function recordActualsFile(pool: Pool, spec: PipelineSpec, actuals: ActualsFile): Promise<RecordedActuals> {
  const targetSpec = spec.columns[spec.target];
  if (!targetSpec) throw new DriftlineError('InvalidInput', `pipeline "${spec.name}" declares no column for its target "${spec.target}"`);
  if (actuals.key === spec.target) throw new DriftlineError('InvalidInput', `--key names the target "${spec.target}": it must name the column holding each outcome's row key`);
  const columns = actualsColumns(spec.target, targetSpec, actuals.key);
  const file = path.resolve(actuals.file);
  const source = DataSource.parse({ kind: 'file', path: file, format: actuals.format ?? formatOf(file) });
  const opened = openSource(source, columns, { specDir: path.dirname(file), pool });
  const refused: RefusedActual[] = [];
  const counts = await inTransaction(pool, async (client) => {
    const total = { recorded: 0, matched: 0 };
    for await (const rows of readActuals(opened, columns, taskOf(spec) === 'classification', refused)) {
      const written = await recordActuals(client, spec.name, rows, actuals.recordedBy);
      total.recorded += written.recorded;
      total.matched += written.matched;
    }
    return total;
  });
  return { ...counts, refused: refused.length, refusedLines: refused.slice(0, LISTED_REFUSALS) };
}

function formatOf(file: string): 'csv' | 'jsonl' | 'json' {
  const extension = path.extname(file).toLowerCase();
  return extension === '.jsonl' || extension === '.ndjson' ? 'jsonl' : extension === '.json' ? 'json' : 'csv';
}
