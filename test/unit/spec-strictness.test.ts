import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { BUILT_IN_PIPELINES_DIR, listPipelines } from '../../lib/spec/load-spec';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';

/** The inner schemas a schema wraps or holds, each with the spec path it describes. */
function children(schema: z.core.$ZodType, at: string): [z.core.$ZodType, string][] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const one = (key: string, where = at): [z.core.$ZodType, string][] => (def[key] ? [[def[key] as z.core.$ZodType, where]] : []);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.core.$ZodType>).map(([key, child]) => [child, `${at}.${key}`]);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return one('innerType');
    case 'pipe':
      return [...one('in'), ...one('out')];
    case 'union':
      return (def.options as z.core.$ZodType[]).map((option) => [option, at]);
    case 'intersection':
      return [...one('left'), ...one('right')];
    case 'record':
      return one('valueType', `${at}.*`);
    case 'array':
      return one('element', `${at}[]`);
    case 'tuple':
      return (def.items as z.core.$ZodType[]).map((item, i) => [item, `${at}[${i}]`]);
    default:
      return [];
  }
}

/** Every object in the schema that would silently drop an unknown key, by spec path. */
function looseObjects(schema: z.core.$ZodType, at = 'spec'): string[] {
  const def = schema._zod.def as unknown as { type: string; catchall?: z.core.$ZodType };
  const here = def.type === 'object' && def.catchall?._zod.def.type !== 'never' ? [at] : [];
  return [...here, ...children(schema, at).flatMap(([child, where]) => looseObjects(child, where))];
}

describe('a pipeline spec refuses unknown keys at every level', () => {
  const builtIn = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;
  const problems = (spec: Record<string, unknown>) => PipelineSpec.safeParse(spec).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';

  it('holds no object that ignores a key it does not know', () => {
    expect(looseObjects(PipelineSpec)).toEqual([]);
  });

  it('names a misspelt key in a column, a check, the source and a drift option', () => {
    const columns = builtIn.columns as Record<string, Record<string, unknown>>;
    const [first] = Object.keys(columns) as [string];
    const misspelt = {
      ...builtIn,
      columns: { ...columns, [first]: { ...columns[first], nulable: true } },
      checks: { rowcount: { min: 10 } },
      source: { ...(builtIn.source as object), fromat: 'csv' },
      drift: { columns: { [first]: { methd: 'ks' } } },
    };
    const text = problems(misspelt);
    expect(text).toMatch(new RegExp(`columns\\.${first}: .*"nulable"`));
    expect(text).toMatch(/checks: .*"rowcount"/);
    expect(text).toMatch(/source: .*"fromat"/);
    expect(text).toMatch(new RegExp(`drift\\.columns\\.${first}: .*"methd"`));
  });

  it('still accepts the pipelines that ship with Driftline', () => {
    expect(problems(builtIn)).toBe('');
  });
});

describe('the pipelines of a folder', () => {
  it('are the spec files that name themselves, not every JSON file beside them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'driftline-pipelines-'));
    writeFileSync(path.join(dir, 'sales.json'), JSON.stringify({ name: 'sales', columns: {} }));
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ name: 'broken', nulable: true }));
    writeFileSync(path.join(dir, 'lookup.json'), JSON.stringify([{ code: 1 }]));
    writeFileSync(path.join(dir, 'settings.json'), '{ not json');
    expect(await listPipelines(dir)).toEqual(['broken', 'sales']);
  });
});
