import { describe, expect, it } from 'vitest';
import { stageFollower } from '../../scripts/cli/commands/status';
import type { PipelineStatus, RetrainStatus } from '../../workflows/messages';

const NOW = '2026-11-28T10:00:09.000Z';
const at = (second: number) => `2026-11-28T10:00:0${second}.000Z`;

function pipeline(stages: PipelineStatus['stage'][], extra: Partial<PipelineStatus> = {}): PipelineStatus {
  const history = stages.map((stage, i) => ({ stage, at: at(i) }));
  return { pipeline: 'p', stage: stages.at(-1) as PipelineStatus['stage'], completed: stages.slice(0, -1), history, ...extra };
}

describe('watch', () => {
  it('prints every stage entered since the last read, once, with the time it was entered', () => {
    const follow = stageFollower(() => NOW);
    expect(follow(pipeline(['loading spec']))).toEqual(['10:00:00  loading spec']);
    // Three stages came and went between two reads: all are printed, in order.
    expect(follow(pipeline(['loading spec', 'ingesting', 'validating', 'checking drift']))).toEqual([
      '10:00:01  ingesting',
      '10:00:02  validating',
      '10:00:03  checking drift',
    ]);
    expect(follow(pipeline(['loading spec', 'ingesting', 'validating', 'checking drift']))).toEqual([]);
  });

  it("prints training progress when it moves, its own or a pipeline's child's, and never once training ended", () => {
    const follow = stageFollower(() => NOW);
    const training = (message: string) => pipeline(['loading spec', 'training'], { training: { workflowId: 'w/retrain', progress: { fraction: 0.5, message } } });
    expect(follow(training('fitting'))).toEqual(['10:00:00  loading spec', '10:00:01  training', '10:00:09    50% fitting']);
    expect(follow(training('fitting'))).toEqual([]);
    const retrain: RetrainStatus = { pipeline: 'p', stage: 'done', history: [{ stage: 'done', at: at(5) }], progress: { fraction: 0.9, message: 'backtesting from earlier origins' } };
    expect(stageFollower(() => NOW)(retrain)).toEqual(['10:00:05  done']);
  });

  it('follows a run without a stage history (started before it was kept) by its current stage', () => {
    const follow = stageFollower(() => NOW);
    const old = { ...pipeline(['ingesting']), history: undefined };
    expect(follow(old)).toEqual(['10:00:09  ingesting']);
    expect(follow(old)).toEqual([]);
    expect(follow({ ...old, stage: 'validating' })).toEqual(['10:00:09  validating']);
  });
});
