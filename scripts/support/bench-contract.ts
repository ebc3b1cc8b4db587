/** What one benchmark reports: markdown for people, data for machines. */
export interface BenchResult {
  name: string;
  markdown: string;
  data: Record<string, unknown>;
}

/**
 * A benchmark module is a file scripts/bench/<name>.ts exporting `bench<Name>`, e.g.
 * scripts/bench/ingest.ts exports `benchIngest`. `say` prints progress.
 */
export type Benchmark = (say: (line: string) => void) => Promise<BenchResult>;
