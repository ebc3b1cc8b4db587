import { log } from '@temporalio/activity';
import { championLiveAccuracy, type LiveAccuracy } from '../../lib/serving/live-accuracy';
import { type ActualsFile, recordActualsFile, type RecordedActuals } from '../../lib/serving/record-actuals-file';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import type { ActivityDeps } from '../deps';

export function makeActuals(deps: ActivityDeps) {
  return {
    /**
     * Records a file of outcomes (a path the worker can read) in one transaction; a retry records
     * the same outcomes again, which changes nothing (one outcome per row key, the newest kept).
     */
    async recordActualsFromFile({ spec, actuals }: { spec: PipelineSpec; actuals: ActualsFile }): Promise<RecordedActuals> {
      const recorded = await recordActualsFile(deps.pool, spec, actuals);
      log.info('actuals recorded', { pipeline: spec.name, recorded: recorded.recorded, matched: recorded.matched, refused: recorded.refused });
      return recorded;
    },

    /**
     * The champion's live accuracy: its logged predictions joined to the recorded outcomes by row
     * key, the newest window of them scored and judged for decay (minimum examples, bootstrap
     * interval). Undefined without a champion.
     */
    async judgeLiveAccuracy({ spec }: { spec: PipelineSpec }): Promise<LiveAccuracy | null> {
      return (await championLiveAccuracy(deps.pool, spec)) ?? null;
    },
  };
}
