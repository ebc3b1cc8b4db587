import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { isListening, splitAddress } from '../../workers/is-listening';
import { devServerConfigArgs } from './dev-server-config';

export interface DevServerOptions {
  binary: string;
  /** host:port the frontend listens on. */
  address: string;
  uiPort: number;
  /** SQLite file that keeps workflows, schedules and history across restarts. */
  dbFile: string;
  logFile: string;
  /** Keep running after this process exits (for `demo --keep`). */
  detached: boolean;
}

export interface RunningDevServer {
  pid: number;
  stop: () => Promise<void>;
}

/** Starts `temporal server start-dev` with its Web UI and waits until the frontend accepts connections. */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const [host, port] = splitAddress(options.address);
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const child = spawn(
    options.binary,
    [
      'server', 'start-dev',
      '--ip', host,
      '--port', String(port),
      '--ui-port', String(options.uiPort),
      '--db-filename', options.dbFile,
      '--log-level', 'warn',
      ...devServerConfigArgs(),
    ],
    { detached: options.detached, stdio: ['ignore', log, log] },
  );
  if (options.detached) child.unref();
  await waitForPort(host, port, child, options.logFile);
  return { pid: child.pid as number, stop: () => stopChild(child) };
}

export function isLocalAddress(address: string): boolean {
  const [host] = splitAddress(address);
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0'].includes(host);
}

async function waitForPort(host: string, port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}; see ${logFile}`);
    if (await isListening(`${host}:${port}`, 500)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`temporal server did not listen on ${host}:${port} within 60 s; see ${logFile}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
