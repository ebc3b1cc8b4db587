import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { devServerConfigArgs } from '../../scripts/support/dev-server-config';
import { prebuiltWorkflowBundle } from '../../workers/workflow-bundle';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

/** A real Temporal dev server (the CLI binary found in global setup), on free ports, for one test file. */
export function startTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: inject('temporalPath') }, ui: false, searchAttributes: DRIFTLINE_SEARCH_ATTRIBUTES, extraArgs: devServerConfigArgs() },
  });
}

let bundle: Promise<WorkflowBundlePath> | undefined;

/** The workers' prebuilt workflow bundle (`npm test` builds it before the tests; built here when stale). */
export function workflowBundle(): Promise<WorkflowBundlePath> {
  bundle ??= prebuiltWorkflowBundle((line) => console.log(line));
  return bundle;
}
