import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingest } from '../../lib/data/ingest';
import { openSource } from '../../lib/data/sources/open-source';
import { saveEvaluation, type EvaluationRecord } from '../../lib/db/evaluations';
import { createPool, type Pool } from '../../lib/db/pool';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import { registerBareVersion } from '../support/bare-version';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
});
afterAll(async () => {
  await pool.end();
});

describe('stored evaluations', () => {
  it('keep each judgement of a run: a retry finds its row, a re-evaluation against a newer champion is a row of its own', async () => {
    const { spec, dir: specDir } = await loadPipelineSpec('us-employment');
    const snapshot = await ingest(pool, { pipeline: 'evaluation-store', columns: spec.columns, source: spec.source, opened: openSource(spec.source, spec.columns, { specDir, pool }) });
    const model = 'evaluation-store-model';
    const [candidate, first, second] = [await registerBareVersion(pool, model, 'c'), await registerBareVersion(pool, model, 'f'), await registerBareVersion(pool, model, 's')];
    const judged = (championVersionId: number | undefined, version: number): EvaluationRecord => ({
      versionId: candidate.id,
      snapshotId: snapshot.id,
      workflowId: 'run-1',
      championVersionId,
      holdoutStart: '2014-01-01',
      holdoutExamples: 30,
      metrics: { mae: 1, rmse: 1, r2: 0, smape: 0 },
      metricsBasis: 'test',
      baselines: { metric: 'rmse', scores: [], best: 'mean', skill: 0 },
      championComparison: championVersionId === undefined ? undefined : { kind: 'same-data', version },
      gates: [],
      modelTests: [],
      backtest: [],
      passed: true,
    });
    const againstNone = await saveEvaluation(pool, judged(undefined, 0));
    expect(await saveEvaluation(pool, judged(undefined, 0))).toBe(againstNone);
    const againstFirst = await saveEvaluation(pool, judged(first.id, 1));
    const againstSecond = await saveEvaluation(pool, judged(second.id, 2));
    expect(new Set([againstNone, againstFirst, againstSecond]).size).toBe(3);
    expect(await saveEvaluation(pool, judged(second.id, 2))).toBe(againstSecond);
    const rows = await pool.query('SELECT id, champion_version_id, champion_comparison FROM evaluations WHERE version_id = $1 ORDER BY id', [candidate.id]);
    expect(rows.rows.map((r) => [Number(r.id), r.champion_version_id === null ? null : Number(r.champion_version_id), r.champion_comparison?.version ?? null])).toEqual([
      [againstNone, null, null],
      [againstFirst, first.id, 1],
      [againstSecond, second.id, 2],
    ]);
  });
});
