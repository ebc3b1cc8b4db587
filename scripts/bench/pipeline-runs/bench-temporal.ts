import { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerConfigArgs } from '../../support/dev-server-config';
import { findOrBuildTemporal } from '../../support/temporal-binary';
import { DRIFTLINE_SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes';

/**
 * A Temporal dev server for one benchmark, configured as every dev server Driftline starts
 * (scripts/support/dev-server-config.ts), quiet but for errors. `stock: true` leaves the dev
 * server's own dynamic config, for a benchmark that shows what the configuration changes.
 */
export function startBenchTemporal(say: (line: string) => void, options: { stock?: boolean } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findOrBuildTemporal(say) },
      ui: false,
      searchAttributes: DRIFTLINE_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs: options.stock ? [] : devServerConfigArgs(),
    },
  });
}
