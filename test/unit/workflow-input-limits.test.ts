import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { formatZodError } from '../../lib/errors';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { ScheduleSpec } from '../../lib/spec/schedule-spec';
import { ApprovalDecision } from '../../workflows/approval-input';
import { EvaluateVersionInput } from '../../workflows/evaluate-version';
import { MonitorInput } from '../../workflows/monitor';
import { PipelineInput } from '../../workflows/pipeline-input';
import { RetrainInput } from '../../workflows/retrain-input';

/** Every schema a workflow (or its updates) parses its input with, and one valid input for it. */
const INPUTS: [string, z.ZodType, Record<string, unknown>][] = [
  ['modelPipeline', PipelineInput, { pipeline: 'us-employment' }],
  ['retrainModel', RetrainInput, { pipeline: 'us-employment', snapshotId: 3 }],
  ['monitorPipeline', MonitorInput, { pipeline: 'us-employment', every: '1h' }],
  ['evaluateVersion', EvaluateVersionInput, { model: 'us-employment-nonfarm-change', version: 1, snapshotId: 3 }],
  ['approve / reject', ApprovalDecision, { by: 'ana', reason: 'backtest holds up' }],
];

/** The problems found, as the workflow would report them ("field: problem"), or 'ok'. */
function problems(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  return result.success ? 'ok' : formatZodError(result.error);
}

describe('workflow input', () => {
  it.each(INPUTS)('%s accepts its documented input', (_name, schema, valid) => {
    expect(problems(schema, valid)).toBe('ok');
  });

  it.each(INPUTS)('%s refuses an unknown key by name instead of ignoring it', (_name, schema, valid) => {
    expect(problems(schema, { ...valid, snapshotID: 3 })).toBe('(root): Unrecognized key: "snapshotID"');
  });

  it('bounds pipeline and model names to 200 characters, far below what Temporal accepts in a search attribute', () => {
    const long = 'a'.repeat(201);
    expect(problems(PipelineInput, { pipeline: 'a'.repeat(200) })).toBe('ok');
    expect(problems(PipelineInput, { pipeline: 'a'.repeat(20_000) })).toBe('pipeline: at most 200 characters');
    expect(problems(RetrainInput, { pipeline: long })).toBe('pipeline: at most 200 characters');
    expect(problems(MonitorInput, { pipeline: long })).toBe('pipeline: at most 200 characters');
    expect(problems(EvaluateVersionInput, { model: long, version: 1, snapshotId: 1 })).toMatch(/^model: /);
  });

  it("bounds a spec's model name the same way: it tags the runs too", () => {
    const spec = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as { model: { name: string } };
    spec.model.name = 'm'.repeat(201);
    expect(problems(PipelineSpec, spec)).toBe('model.name: at most 200 characters');
  });

  it('bounds who asked, and parameter names', () => {
    expect(problems(PipelineInput, { pipeline: 'p', requestedBy: 'x'.repeat(201) })).toMatch(/^requestedBy: /);
    expect(problems(RetrainInput, { pipeline: 'p', requestedBy: 'x'.repeat(201) })).toMatch(/^requestedBy: /);
    expect(problems(ApprovalDecision, { by: 'x'.repeat(201), reason: 'ok' })).toMatch(/^by: /);
    expect(problems(PipelineInput, { pipeline: 'p', params: { ['k'.repeat(201)]: 1 } })).toMatch(/^params\.k+: /);
  });

  it('refuses a NUL character in text that PostgreSQL would be asked to store', () => {
    expect(problems(PipelineInput, { pipeline: 'p', requestedBy: 'a\0b' })).toBe('requestedBy: must not contain a NUL byte');
    expect(problems(ApprovalDecision, { by: 'ana', reason: 'fine\0' })).toBe('reason: must not contain a NUL byte');
    expect(problems(EvaluateVersionInput, { model: 'm\0', version: 1, snapshotId: 1 })).toBe('model: must not contain a NUL byte');
    expect(problems(PipelineInput, { pipeline: 'p', params: { 'a\0': 1 } })).toMatch(/^params\.a.: Invalid key in record/);
  });

  it('checks a pipeline at most once a minute: "0s" would start full runs back to back', () => {
    for (const every of ['0s', '1s', '59s']) {
      expect(problems(MonitorInput, { pipeline: 'p', every })).toBe('every: must be at least 1m');
    }
    for (const every of ['60s', '1m', '6h', '1d']) expect(problems(MonitorInput, { pipeline: 'p', every })).toBe('ok');
    expect(problems(MonitorInput, { pipeline: 'p', every: 'soon' })).toBe('every: must be a number and a unit: 30m, 6h, 1d');
    // A spec's schedule interval is the same kind of value, with the same floor.
    expect(problems(ScheduleSpec, { every: '10s' })).toBe('every: must be at least 1m');
  });
});
