import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/free-port';

const run = promisify(execFile);
const PREFIX = 'driftline-chaos-pg-';
/** The process that owns an instance, written beside its data: a run killed before its teardown leaves it behind. */
const OWNER_FILE = 'driftline-owner.pid';

/** Where a PostgreSQL instance of the chaos suite lives: enough to stop, start or restart it from any test file. */
export interface PostgresInstance {
  dataDir: string;
  port: number;
}

/**
 * PostgreSQL's server binaries: DRIFTLINE_PG_BIN, else Debian's newest /usr/lib/postgresql/<version>/bin
 * (Debian keeps initdb and pg_ctl off PATH).
 */
function binDir(): string {
  if (process.env.DRIFTLINE_PG_BIN) return process.env.DRIFTLINE_PG_BIN;
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL server under /usr/lib/postgresql; set DRIFTLINE_PG_BIN');
  return path.join('/usr/lib/postgresql', versions[0] as string, 'bin');
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
const AS_ROOT = process.getuid?.() === 0;

async function pgTool(tool: string, args: string[]): Promise<void> {
  const binary = path.join(binDir(), tool);
  const [command, argv] = AS_ROOT ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  await run(command, argv, { cwd: os.tmpdir() });
}

/** pg_ctl on the instance; the server it starts writes to a log file, never to our pipes (which would stay open). */
function ctl(instance: PostgresInstance, action: string, ...args: string[]): Promise<void> {
  return pgTool('pg_ctl', [action, '-D', instance.dataDir, '-w', '-t', '60', '-l', path.join(instance.dataDir, 'server.log'), ...args]);
}

/**
 * A new PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 at a free port (its socket
 * in the folder too), trusting local connections as `postgres`. Durability is off: the chaos suite
 * stops and restarts this server, it never loses the machine, and the disk is shared.
 */
export async function startPostgresInstance(): Promise<PostgresInstance> {
  await removeAbandonedInstances();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), PREFIX));
  if (AS_ROOT) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(dataDir, Number(stdout), Number(group));
  }
  await pgTool('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale', 'C', '--no-sync']);
  writeFileSync(path.join(dataDir, OWNER_FILE), String(process.pid));
  const instance = { dataDir, port: await freePort() };
  await startPostgres(instance);
  return instance;
}

function serverOptions(instance: PostgresInstance): string {
  return [
    `-p ${instance.port}`,
    `-k ${instance.dataDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
  ].join(' ');
}

/** A connection URL for `database` on the instance. */
export function instanceUrl(instance: PostgresInstance, database: string): string {
  return `postgres://postgres@127.0.0.1:${instance.port}/${database}`;
}

/** Stops the server the way an operator's restart does (`-m fast`: sessions are ended, transactions rolled back). */
export function stopPostgres(instance: PostgresInstance, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
  return ctl(instance, 'stop', '-m', mode);
}

/** Starts the (stopped) instance on its port; returns once it accepts connections. */
export function startPostgres(instance: PostgresInstance): Promise<void> {
  return ctl(instance, 'start', '-o', serverOptions(instance));
}

/** `pg_ctl restart -m fast`: every connection is dropped, and the server is back when this resolves. */
export function restartPostgres(instance: PostgresInstance): Promise<void> {
  return ctl(instance, 'restart', '-m', 'fast');
}

/** Stops the instance (if it runs) and removes its folder. */
export async function removePostgresInstance(instance: PostgresInstance): Promise<void> {
  await stopPostgres(instance, 'immediate').catch(() => undefined);
  rmSync(instance.dataDir, { recursive: true, force: true });
}

/** Instances whose owning process has gone (a killed test run never tears down): stopped and removed. */
async function removeAbandonedInstances(): Promise<void> {
  for (const name of readdirSync(os.tmpdir()).filter((entry) => entry.startsWith(PREFIX))) {
    const dataDir = path.join(os.tmpdir(), name);
    const ownerFile = path.join(dataDir, OWNER_FILE);
    if (!existsSync(ownerFile) || processExists(Number(readFileSync(ownerFile, 'utf8')))) continue;
    await removePostgresInstance({ dataDir, port: 0 });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
