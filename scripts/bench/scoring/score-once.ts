// Scores the bench file once with the champion, through the scoring activity's own thread job, in a
// process of its own so that the peak RSS it reports is the scoring's alone. Prints one JSON line.
// Used by scripts/bench/scoring.ts.
import { resultFromThread } from '../../../activities/threads/result-from-thread';
import type { ScoringJob, ScoringTotals } from '../../../activities/scoring/score-thread';
import { DataSource } from '../../../lib/data/source-spec';
import { createPool } from '../../../lib/db/pool';
import { pinScoringRun } from '../../../lib/db/scoring-runs';
import { ScoringSpec } from '../../../lib/scoring/scoring-spec';
import { benchScoringSpec } from './bench-champion';

const [file, databaseUrl, versionId, batchId] = process.argv.slice(2) as [string, string, string, string];
const source = DataSource.parse({ kind: 'file', path: file });
// The spec's default chunk size, as a scoring section that does not set one gets.
const job: ScoringJob = { databaseUrl, spec: benchScoringSpec(), specDir: '.', source, batchId, versionId: Number(versionId), chunkRows: ScoringSpec.parse({ source }).chunkRows };
// The run's record, as scoreBatch makes it before it scores: the batch's chunks are written under it.
const pool = createPool(databaseUrl, 1);
await pinScoringRun(pool, { batchId, pipeline: job.spec.name, model: job.spec.model.name, alias: 'champion', workflowId: `bench-${batchId}` });
await pool.end();
const started = performance.now();
const totals = await resultFromThread<ScoringTotals>(new URL('../../../activities/scoring/score-thread.ts', import.meta.url), job, { signal: new AbortController().signal, what: 'scoring' });
const scoreMs = performance.now() - started;
// The idle thread does not hold the process open: it ends here.
console.log(JSON.stringify({ scoreMs, totals, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
