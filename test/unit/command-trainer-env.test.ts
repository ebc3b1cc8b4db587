import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictWithCommand } from '../../activities/training/command-trainer';
import { TrainerSpec } from '../../lib/spec/pipeline-spec';
import { isAlive } from '../support/processes';

const ENV_DUMP_TRAINER = fileURLToPath(new URL('../fixtures/trainers/env_dump_trainer.py', import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'driftline-env-test-'));
const dumpFile = path.join(scratch, 'env.json');

/** What the worker's environment holds in production: every one of these is a secret or names one. */
const WORKER_SECRETS = {
  DATABASE_URL: 'postgres://driftline:db-password-1@db.internal/driftline',
  DRIFTLINE_WEBHOOK_URL: 'https://hooks.example.com/services/T0SECRET',
  DRIFTLINE_DASHBOARD_TOKEN: 'dashboard-token-0123456789',
  TEMPORAL_API_KEY: 'temporal-api-key',
  PGPASSWORD: 'db-password-1',
};
const saved = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, WORKER_SECRETS, { ENV_DUMP_FILE: dumpFile, NOT_DECLARED: 'x', PYTHONDONTWRITEBYTECODE: '1' });
});
afterAll(() => {
  process.env = saved;
});

const command = (script: string[], env: string[]) => ({ kind: 'command' as const, command: script, cwd: scratch, env });
const predict = (ref: ReturnType<typeof command>) => predictWithCommand(ref, { encoding: 'base64', data: '' }, ['x'], [[1], [2]], new AbortController().signal);

describe('a command trainer’s environment', () => {
  it('holds the allow-list and the declared variables, never Driftline’s secrets', async () => {
    expect(await predict(command(['python3', ENV_DUMP_TRAINER], ['ENV_DUMP_FILE']))).toEqual([0, 0]);
    const seen = JSON.parse(readFileSync(dumpFile, 'utf8')) as Record<string, string>;

    for (const name of Object.keys(WORKER_SECRETS)) expect(seen).not.toHaveProperty(name);
    const dump = JSON.stringify(seen);
    for (const secret of Object.values(WORKER_SECRETS)) expect(dump).not.toContain(secret);
    // The file protocol's own two variables are the only DRIFTLINE_ names it sees.
    expect(Object.keys(seen).filter((name) => name.startsWith('DRIFTLINE_')).sort()).toEqual(['DRIFTLINE_MODE', 'DRIFTLINE_WORKDIR']);
    expect(seen).not.toHaveProperty('NOT_DECLARED');
    expect(seen).toMatchObject({ ENV_DUMP_FILE: dumpFile, HOME: process.env.HOME, PYTHONDONTWRITEBYTECODE: '1', DRIFTLINE_MODE: 'predict' });
    expect(seen.PATH).toContain('/usr/bin');
  });

  it('is declared in the spec by name, and Driftline’s own settings cannot be declared', () => {
    expect(TrainerSpec.safeParse({ command: ['python3', 'train.py'], env: ['MY_VAR', 'HF_HOME'] }).success).toBe(true);
    for (const name of ['DATABASE_URL', 'DRIFTLINE_WEBHOOK_URL', 'TEMPORAL_API_KEY', 'PGPASSWORD', 'NOT A NAME']) {
      expect(TrainerSpec.safeParse({ command: ['python3', 'train.py'], env: [name] }).success).toBe(false);
    }
  });
});

describe('a command trainer’s processes and files', () => {
  it('leaves no process it started running and no work folder once it ends', async () => {
    const pidFile = path.join(scratch, 'left-behind.pid');
    process.env.LEFT_BEHIND_PIDFILE = pidFile;
    // Starts a long sleep in the background, answers, and exits without waiting for it.
    const script = 'sleep 600 & echo $! > "$LEFT_BEHIND_PIDFILE"; printf "0\\n0\\n" > "$DRIFTLINE_WORKDIR/predictions.csv"';
    expect(await predict(command(['sh', '-c', script, 'trainer'], ['LEFT_BEHIND_PIDFILE']))).toEqual([0, 0]);

    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    const workRoot = path.join(os.tmpdir(), 'driftline-trainers');
    const mine = existsSync(workRoot) ? readdirSync(workRoot).filter((name) => name.startsWith(`${process.pid}-`)) : [];
    expect(mine).toEqual([]);
  });
});
