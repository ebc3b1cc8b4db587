import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../scripts/driftline.mjs', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Still running: neither exited nor killed by a signal. */
  alive(): boolean;
  /** Resolves when the process ends, however. */
  exited: Promise<void>;
}

/**
 * `driftline worker` as a real process, with `environment` on top of the test's, resolved once it
 * says it polls; rejected when it exits first. A crash of the process is visible to the test
 * (an in-process worker would take the test runner down with it instead).
 */
export function startWorkerProcess(environment: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    // Metrics off: workers started in turn must not find the previous one's port still taken.
    env: { ...process.env, DRIFTLINE_METRICS_ADDRESS: 'off', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const worker: WorkerProcess = {
    child,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    exited: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('driftline worker started')) resolve(worker);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code, signal) => reject(new Error(`worker exited with ${code ?? signal}:\n${output}`)));
  });
}
