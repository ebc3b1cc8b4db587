import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDriftline } from '../support/driftline-cli';

describe('driftline spec check', () => {
  it('says what a valid spec makes the pipeline do, and starts nothing', async () => {
    const result = await runDriftline({}, 'spec', 'check', 'us-employment');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/us-employment\.json: valid/);
    expect(result.stdout).toMatch(/target +nonfarm_change, 1 step ahead/);
  });

  it('prints the spec with its defaults filled in as JSON', async () => {
    const result = await runDriftline({}, 'spec', 'check', 'us-employment', '--json');
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'us-employment', evaluation: { primaryMetric: 'rmse', minHoldout: 30 } });
  });

  it('names every misspelt key of a spec file and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'driftline-spec-'));
    const file = path.join(dir, 'sales.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'sales',
        source: { kind: 'file', path: 'sales.csv', fromat: 'csv' },
        columns: { day: { type: 'timestamp' }, units: { type: 'numeric', nulable: true } },
        timeColumn: 'day',
        target: 'units',
        features: { targetLags: [1] },
        model: { name: 'sales-units', trainer: 'ridge' },
        checks: { rowcount: { min: 10 } },
      }),
    );
    const result = await runDriftline({}, 'spec', 'check', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/source: Unrecognized key: "fromat"/);
    expect(result.stderr).toMatch(/columns\.units: Unrecognized key: "nulable"/);
    expect(result.stderr).toMatch(/checks: Unrecognized key: "rowcount"/);
  });

  it('says which pipelines exist when the name is unknown', async () => {
    const result = await runDriftline({}, 'spec', 'check', 'nope');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No pipeline "nope" .*known: .*us-employment/);
  });
});
