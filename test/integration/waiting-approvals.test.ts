import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listWaitingApprovals } from '../../lib/db/approvals';
import { appendAudit, setAlias } from '../../lib/db/model-registry';
import { createPool, type Pool } from '../../lib/db/pool';
import { registerBareVersion } from '../support/bare-version';

let pool: Pool;

beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
});

afterAll(async () => {
  await pool.end();
});

const HOUR = 3_600_000;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

/** An audit entry as the promotion activities write it for a run's decision on a version. */
const audit = (model: string, versionId: number, action: string, details: Record<string, unknown>) =>
  appendAudit(pool, { actor: 'test', action, modelName: model, versionId, reason: action, details });

const waiting = async (model: string) => (await listWaitingApprovals(pool, model)).map((w) => [w.workflowId, w.version]);

describe('the runs waiting for approval (waiting_approvals), from the audit log', () => {
  it('holds a run from its challenger entry until that run decides, or its deadline passes', async () => {
    const model = 'audit-view-waiting-model';
    const [v1, v2, v3] = [await registerBareVersion(pool, model, 'w1'), await registerBareVersion(pool, model, 'w2'), await registerBareVersion(pool, model, 'w3')];
    await audit(model, v1.id, 'challenger', { workflowId: 'run-1', deadline: inHours(1) });
    await audit(model, v2.id, 'challenger', { workflowId: 'run-2', deadline: inHours(2) });
    await audit(model, v3.id, 'challenger', { workflowId: 'run-3', deadline: inHours(-1) });
    expect(await waiting(model)).toEqual([['run-1', 1], ['run-2', 2]]);

    // A decision by another run on the same version does not end this run's wait; its own does.
    await audit(model, v1.id, 'reject', { workflowId: 'run-other' });
    expect(await waiting(model)).toEqual([['run-1', 1], ['run-2', 2]]);
    await audit(model, v1.id, 'reject', { workflowId: 'run-1' });
    expect(await waiting(model)).toEqual([['run-2', 2]]);
  });

  it('lists a run marked challenger twice (re-evaluated against a new champion) once, with its latest deadline', async () => {
    const model = 'audit-view-reevaluated-model';
    const v = await registerBareVersion(pool, model, 'r1');
    await audit(model, v.id, 'challenger', { workflowId: 'run-r', deadline: inHours(1) });
    const later = inHours(3);
    await audit(model, v.id, 'challenger', { workflowId: 'run-r', deadline: later });
    const listed = await listWaitingApprovals(pool, model);
    expect(listed.map((w) => w.deadline?.toISOString())).toEqual([later]);
  });

  it('counts a request from before deadlines were recorded only while the challenger alias names its version', async () => {
    const model = 'audit-view-legacy-model';
    const [old, current] = [await registerBareVersion(pool, model, 'l1'), await registerBareVersion(pool, model, 'l2')];
    await audit(model, old.id, 'challenger', { workflowId: 'run-old' });
    await setAlias(pool, 'challenger', current.id, { actor: 'test', action: 'challenger', modelName: model, versionId: current.id, reason: 'legacy', details: { workflowId: 'run-current' } });
    const listed = await listWaitingApprovals(pool, model);
    expect(listed.map((w) => [w.workflowId, w.deadline])).toEqual([['run-current', null]]);
  });
});
