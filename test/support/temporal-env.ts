import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/create-worker';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/** A real Temporal dev server (the CLI binary found in global setup), on free ports, for one test file. */
export function startTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: inject('temporalPath') }, ui: false, searchAttributes: DRIFTLINE_SEARCH_ATTRIBUTES },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflows bundled once per test file instead of once per worker. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silentLogger });
  return bundle;
}

const silentLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
