import { prebuiltWorkflowBundle, staleSource, WORKFLOW_BUNDLE_PATH } from '../workers/workflow-bundle';
import { runMain } from './support/exit-on-error';

// `npm run build:workflows`: the worker's prebuilt workflow bundle, built when a workflow (or a file
// it imports) changed since the last build. Workers, the demo and the tests build it themselves when
// stale, so this is for a deploy step that should not bundle at start.
runMain(async () => {
  if (staleSource() === undefined) console.log(`workflow bundle up to date: ${WORKFLOW_BUNDLE_PATH}`);
  else await prebuiltWorkflowBundle((line) => console.log(line));
  return 0;
});
