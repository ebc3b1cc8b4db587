import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { scoredPrediction, type ScoredChunk, type ScoredPrediction } from './scored-chunk';

/** Which version made the predictions: each line names it. */
export interface FileVersion {
  model: string;
  version: number;
}

/**
 * Writes a scoring run's predictions to a CSV or JSON Lines file as they are made. It writes to a
 * side file and moves it into place when the run is complete, so a run that failed or was retried
 * never leaves a partial file under the name readers look for.
 */
export class PredictionFile {
  private readonly partial: string;
  private readonly out: WriteStream;
  private header: boolean;

  constructor(
    private readonly file: string,
    private readonly format: 'csv' | 'jsonl',
    private readonly classes: readonly string[] | undefined,
  ) {
    this.partial = `${file}.partial`;
    this.out = createWriteStream(this.partial);
    this.header = format === 'csv';
  }

  /** Appends a chunk's predictions, waiting when the disk is slower than the scoring (memory stays flat). */
  async append(chunk: ScoredChunk, by: FileVersion): Promise<void> {
    if (chunk.rowKeys.length === 0) return;
    let text = '';
    if (this.header) {
      text += this.csvHeader();
      this.header = false;
    }
    for (let i = 0; i < chunk.rowKeys.length; i += 1) text += this.format === 'csv' ? this.csvLine(lineOf(chunk, by, i)) : this.jsonLine(lineOf(chunk, by, i));
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async finish(): Promise<void> {
    if (this.header) this.out.write(this.csvHeader());
    this.out.end();
    await once(this.out, 'finish');
    renameSync(this.partial, this.file);
  }

  discard(): void {
    this.out.destroy();
    rmSync(this.partial, { force: true });
  }

  private csvHeader(): string {
    const answer = this.classes ? ['predicted_class', ...this.classes.map((name) => `probability_${name}`)] : ['prediction'];
    return `${['row_key', 'at', 'model', 'version', ...answer, 'input_digest'].map(csvCell).join(',')}\n`;
  }

  private csvLine(row: FileLine): string {
    const answer = this.classes ? [row.predictedClass ?? '', ...this.classes.map((name) => String(row.probabilities?.[name] ?? ''))] : [String(row.prediction ?? '')];
    return `${[row.rowKey, row.at ?? '', row.model, String(row.version), ...answer, row.inputDigest].map(csvCell).join(',')}\n`;
  }

  private jsonLine(row: FileLine): string {
    const answer = this.classes ? { predictedClass: row.predictedClass, probabilities: row.probabilities } : { prediction: row.prediction };
    return `${JSON.stringify({ rowKey: row.rowKey, at: row.at ?? null, model: row.model, version: row.version, ...answer, inputDigest: row.inputDigest })}\n`;
  }
}

/** One prediction as a line of the file says it. */
type FileLine = ScoredPrediction & FileVersion;

function lineOf(chunk: ScoredChunk, by: FileVersion, i: number): FileLine {
  return { ...scoredPrediction(chunk, i), ...by };
}

/** A CSV field, quoted when it holds a separator, a quote or a line break. */
function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
