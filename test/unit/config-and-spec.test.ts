import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from '../../lib/config';
import { DriftlineError } from '../../lib/errors';
import { BUILT_IN_PIPELINES_DIR, loadPipelineSpec } from '../../lib/spec/load-spec';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { PipelineInput } from '../../workflows/pipeline-input';

describe('configuration from the environment', () => {
  it('defaults to the local setup', () => {
    expect(loadConfig({})).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/driftline',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'driftline',
    });
  });

  it('names the variable that is wrong and does not echo a secret', () => {
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'not an address' })).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
    const attempt = () => loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DATABASE_URL/);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it("bounds a worker's concurrency by default, and takes whole positive numbers instead", () => {
    expect(loadConfig({})).toMatchObject({ DRIFTLINE_MAX_CONCURRENT_ACTIVITIES: 4, DRIFTLINE_MAX_CONCURRENT_WORKFLOW_TASKS: 4, DRIFTLINE_MAX_CACHED_WORKFLOWS: 100 });
    expect(loadConfig({ DRIFTLINE_MAX_CONCURRENT_ACTIVITIES: '16' }).DRIFTLINE_MAX_CONCURRENT_ACTIVITIES).toBe(16);
    expect(() => loadConfig({ DRIFTLINE_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(/DRIFTLINE_MAX_CONCURRENT_ACTIVITIES: must be at least 1/);
    expect(() => loadConfig({ DRIFTLINE_MAX_CACHED_WORKFLOWS: '2.5' })).toThrow(/DRIFTLINE_MAX_CACHED_WORKFLOWS: must be a whole number/);
  });

  it('redacts the password of a database URL', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/driftline')).toBe('postgres://app:***@db:5432/driftline');
  });
});

describe('pipeline specs', () => {
  const builtIn = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;

  it('loads the built-in us-employment pipeline', async () => {
    const { spec } = await loadPipelineSpec('us-employment');
    expect(spec.target).toBe('nonfarm_change');
    expect(spec.evaluation.primaryMetric).toBe('rmse');
  });

  it('names every field that is wrong', () => {
    const result = PipelineSpec.safeParse({ ...builtIn, target: 'unknown_column', features: { targetLags: [0] } });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toContain('target');
    expect(paths).toContain('features.targetLags.0');
  });

  it('refuses a misspelt key by name instead of ignoring it', () => {
    const result = PipelineSpec.safeParse({ ...builtIn, promtion: { requireApproval: true }, model: { ...(builtIn.model as object), parms: {} } });
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages.join('\n')).toMatch(/promtion/);
    expect(messages.join('\n')).toMatch(/model: .*parms/);
  });

  it('refuses a metric of the other task, naming the field', () => {
    const columns = { ...(builtIn.columns as object), label: { type: 'categorical' } };
    const classes = PipelineSpec.safeParse({ ...builtIn, columns, target: 'label', evaluation: { primaryMetric: 'rmse' } });
    expect(classes.error?.issues.map((i) => i.path.join('.'))).toContain('evaluation.primaryMetric');
    expect(classes.error?.issues.map((i) => i.message).join('\n')).toMatch(/rmse does not score classes/);
    const numbers = PipelineSpec.safeParse({ ...builtIn, evaluation: { primaryMetric: 'rmse' }, promotion: { gates: { accuracy: { threshold: 0.5 } } } });
    expect(numbers.error?.issues.map((i) => i.path.join('.'))).toEqual(['promotion.gates.accuracy']);
    const textTask = PipelineSpec.safeParse({ ...builtIn, columns, target: 'label', task: 'regression' });
    expect(textTask.error?.issues.map((i) => i.path.join('.'))).toEqual(['task']);
    const decay = PipelineSpec.safeParse({ ...builtIn, drift: { accuracyDecay: { metric: 'log_loss' } } });
    expect(decay.error?.issues.map((i) => i.path.join('.'))).toEqual(['drift.accuracyDecay.metric']);
  });

  it('says which pipelines exist when the name is unknown', async () => {
    const error = await loadPipelineSpec('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriftlineError);
    expect((error as DriftlineError).type).toBe('PipelineNotFound');
    expect((error as Error).message).toMatch(/known: .*us-employment/);
  });
});

describe('workflow input', () => {
  it('needs only the pipeline name', () => {
    expect(PipelineInput.parse({ pipeline: 'us-employment' })).toEqual({
      pipeline: 'us-employment',
      requestedBy: 'temporal-ui',
      trigger: 'manual',
    });
  });

  it('refuses parameters that are not finite numbers', () => {
    const result = PipelineInput.safeParse({ pipeline: 'x', params: { alpha: Number.POSITIVE_INFINITY } });
    expect(result.error?.issues[0]?.path).toEqual(['params', 'alpha']);
  });
});
