import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execute = promisify(execFile);
const CLI = fileURLToPath(new URL('../../scripts/driftline.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `driftline` executable as a user runs it, with the given environment on top of the test's. */
export function runDriftline(environment: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return execute(process.execPath, [CLI, ...args], { env: { ...process.env, ...environment } })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: CliResult) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }));
}
