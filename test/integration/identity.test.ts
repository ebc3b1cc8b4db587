import { userInfo } from 'node:os';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../lib/db/pool';
import { runDriftline } from '../support/driftline-cli';

// Containers, cron and CI often run without $USER: acting commands must not fail for it.
const NO_USER = { USER: '', LOGNAME: '' };

describe('the CLI names who acts, and refuses names that do not exist', () => {
  const databaseUrl = inject('databaseUrl');
  const pool = createPool(databaseUrl, 1);
  const env = { DATABASE_URL: databaseUrl };
  afterAll(() => pool.end());

  const annotate = (extra: Record<string, string>, ...args: string[]) =>
    runDriftline({ ...env, ...extra }, 'annotate', '--label', 'holiday campaign', '--from', '2015-11-20', '--to', '2015-12-31', '--json', ...args);

  it('records the OS user name when $USER is unset, and --by when given', async () => {
    const implicit = await annotate(NO_USER, '--pipeline', 'us-employment');
    expect(implicit.code).toBe(0);
    expect(JSON.parse(implicit.stdout)).toMatchObject({ pipeline: 'us-employment', createdBy: userInfo().username });
    const explicit = await annotate(NO_USER, '--pipeline', 'us-employment', '--by', 'ana');
    expect(JSON.parse(explicit.stdout)).toMatchObject({ createdBy: 'ana' });
    const stored = await pool.query('SELECT created_by FROM annotations WHERE id = $1', [JSON.parse(explicit.stdout).id]);
    expect(stored.rows[0]).toEqual({ created_by: 'ana' });
  });

  it('refuses an annotation of a pipeline that does not exist, listing the known ones', async () => {
    const result = await annotate({}, '--pipeline', 'nope');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No pipeline "nope" .*known: .*us-employment/);
    const stored = await pool.query("SELECT count(*)::int AS n FROM annotations WHERE pipeline = 'nope'");
    expect(stored.rows[0]).toEqual({ n: 0 });
  });

  it('lets a rollback run without $USER: what stops it is the unknown model, not a missing name', async () => {
    const result = await runDriftline({ ...env, ...NO_USER }, 'rollback', '--model', 'no-such-model', '--reason', 'test');
    expect(result.code).not.toBe(0);
    expect(result.stderr).not.toMatch(/--by/);
    expect(result.stderr).toMatch(/no-such-model/);
  });

  it('says which models exist when `models --model` names none of them', async () => {
    const result = await runDriftline(env, 'models', '--model', 'nope');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no model "nope" \(known: /);
  });
});
