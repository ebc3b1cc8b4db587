import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataWindow } from '../../lib/arrival/pipeline-data';
import { mulberry32 } from '../../lib/stats/mulberry32';
import { statusQuery } from '../../workflows/messages';
import { modelPipeline } from '../../workflows/pipeline';
import type { PipelineInput } from '../../workflows/pipeline-input';
import { startWorkerStack, type WorkerStack } from '../support/worker-stack';

const TASK_QUEUE = 'arrival-test';
const pipelinesDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-arrival-'));
let stack: WorkerStack;

beforeAll(async () => {
  stack = await startWorkerStack({ taskQueue: TASK_QUEUE, pipelinesDir });
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * Seeded daily data where tomorrow's y follows today's x1 and x2 (y[t+1] = 3·x1[t] − 2·x2[t] + noise),
 * so a model on x1 and x2 beats every naive forecast. From `shiftFrom` on, x1 moves up by 2 standard
 * deviations (and y with it): a regime change in the newest month.
 */
function dailyRows(days: number, shiftFrom = Infinity, seed = 7): string[] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const lines: string[] = [];
  let y = 0;
  for (let t = 0; t < days; t += 1) {
    const x1 = normal() + (t >= shiftFrom ? 2 : 0);
    const x2 = normal();
    const date = new Date(Date.UTC(2023, 0, 1 + t)).toISOString().slice(0, 10);
    lines.push(`${date},${x1.toFixed(4)},${x2.toFixed(4)},${y.toFixed(4)}`);
    y = 3 * x1 - 2 * x2 + 0.5 * normal();
  }
  return lines;
}

/** A pipeline spec over `<name>.csv` in the test's pipelines folder. */
function writeSpec(name: string, arrival: object): void {
  const spec = {
    name,
    source: { kind: 'file', path: `${name}.csv` },
    arrival,
    columns: { day: { type: 'timestamp' }, x1: { type: 'numeric' }, x2: { type: 'numeric' }, y: { type: 'numeric' } },
    timeColumn: 'day',
    keyColumns: ['day'],
    target: 'y',
    features: { columns: ['x1', 'x2'] },
    model: { name: `${name}-model`, trainer: 'ridge', params: { alpha: 1 } },
    checks: { rowCount: { min: 20 } },
  };
  writeFileSync(path.join(pipelinesDir, `${name}.json`), JSON.stringify(spec, null, 2));
}

function writeData(name: string, lines: string[]): void {
  writeFileSync(path.join(pipelinesDir, `${name}.csv`), ['day,x1,x2,y', ...lines].join('\n'));
}

async function run(name: string, workflowId: string, trigger: PipelineInput['trigger']) {
  const handle = await stack.env.client.workflow.start(modelPipeline, {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ pipeline: name, trigger, requestedBy: 'test' }],
  });
  const result = await handle.result();
  return { result, status: await handle.query(statusQuery) };
}

/** Every stored report's two sides: the current rows always start after the reference's last row. */
async function storedSides(pipeline: string) {
  const result = await stack.pool.query("SELECT report->'sides' AS sides FROM drift_reports WHERE pipeline = $1 ORDER BY id", [pipeline]);
  return result.rows.map((r) => ({ reference: DataWindow.parse(r.sides.reference), current: DataWindow.parse(r.sides.current) }));
}

const day = (key: string | number | null | undefined) => String(key).slice(0, 10);

describe('a source that holds the whole, growing history', () => {
  it('compares each new month alone with the champion\'s training data, fails only on the shifted month, and retrains on it', async () => {
    const name = 'growing-history';
    writeSpec(name, { mode: 'history' });
    // 2023-01-01 + 181 days = 2023-07-01: six months to train the first champion on.
    const months = [181, 212, 243, 273];
    const all = dailyRows(304, 273);
    writeData(name, all.slice(0, months[0]));
    const first = await run(name, `${name}-0`, 'manual');
    expect(first.result).toMatchObject({ version: 1, promoted: true });

    const calm = [];
    for (const [i, end] of [months[1], months[2], months[3]].entries()) {
      writeData(name, all.slice(0, end));
      calm.push(await run(name, `${name}-calm-${i}`, 'schedule'));
    }
    for (const { status } of calm) {
      expect(status.drift?.verdict).not.toBe('fail');
      expect(status.drift?.sides?.reference).toMatchObject({ rows: 181, from: expect.stringMatching(/^2023-01-01/), to: expect.stringMatching(/^2023-06-30/) });
    }
    // Each check saw one new month, not everything since the champion was trained.
    expect(calm.map(({ status }) => [day(status.drift?.sides?.current.from), day(status.drift?.sides?.current.to), status.drift?.sides?.current.rows])).toEqual([
      ['2023-07-01', '2023-07-31', 31],
      ['2023-08-01', '2023-08-31', 31],
      ['2023-09-01', '2023-09-30', 30],
    ]);

    writeData(name, all);
    const shifted = await run(name, `${name}-shifted`, 'schedule');
    expect(shifted.status.drift).toMatchObject({ verdict: 'fail', action: { retrain: true } });
    expect(shifted.status.drift?.drifted.map((c) => c.column)).toContain('x1');
    expect(shifted.status.drift?.sides?.current).toMatchObject({ rows: 31, from: expect.stringMatching(/^2023-10-01/) });
    // The retrain learns from everything, the shifted month included.
    expect(shifted.status.candidate?.trainingWindow).toMatchObject({ rows: 304, to: expect.stringMatching(/^2023-10-31/) });

    const again = await run(name, `${name}-again`, 'schedule');
    expect(again.status.drift?.verdict).toBe('no_new_data');
    expect(again.status.drift?.reasons[0]).toMatch(/^no new data since 2023-10-31/);
    expect(again.result).toMatchObject({ trainingOutcome: 'skipped', promoted: false });

    for (const sides of await storedSides(name)) expect(String(sides.current.from) > String(sides.reference.to)).toBe(true);
  });
});

describe('a source that delivers one batch at a time', () => {
  it('trains on all batches, compares each new batch, and adds nothing when a batch is delivered twice', async () => {
    const name = 'daily-batches';
    writeSpec(name, { mode: 'batches' });
    // 160 days leave a holdout of 32 examples: enough to judge a first model.
    const all = dailyRows(240, Infinity, 11);
    const batches = [all.slice(0, 160), all.slice(160, 200), all.slice(200, 240)];

    writeData(name, batches[0] as string[]);
    const first = await run(name, `${name}-1`, 'manual');
    expect(first.status.candidate?.trainingWindow).toMatchObject({ rows: 160, snapshotIds: [first.result.snapshotId] });

    writeData(name, batches[1] as string[]);
    const second = await run(name, `${name}-2`, 'schedule');
    expect(second.status.drift?.sides?.current).toMatchObject({ rows: 40, snapshotIds: [second.result.snapshotId] });

    writeData(name, batches[2] as string[]);
    const third = await run(name, `${name}-3`, 'manual');
    expect(third.status.drift?.sides?.current).toMatchObject({ rows: 40, snapshotIds: [third.result.snapshotId] });
    expect(third.status.candidate?.trainingWindow).toMatchObject({
      rows: 240,
      snapshotIds: [first.result.snapshotId, second.result.snapshotId, third.result.snapshotId],
    });

    const repeat = await run(name, `${name}-3-again`, 'schedule');
    expect(repeat.result.snapshotId).toBe(third.result.snapshotId);
    expect(repeat.status.drift?.verdict).toBe('no_new_data');
    expect(repeat.result.trainingOutcome).toBe('skipped');
    for (const sides of await storedSides(name)) expect(String(sides.current.from) > String(sides.reference.to)).toBe(true);
  });
});
