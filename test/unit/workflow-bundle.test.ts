import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { prebuiltWorkflowBundle, staleSource } from '../../workers/workflow-bundle';

const file = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

/** The source map the bundle carries inline, as the worker's sandbox reads it. */
function inlineSourceMap(code: string): { sources: string[]; mappings: string; sourcesContent?: unknown } {
  return JSON.parse(Buffer.from(code.slice(code.lastIndexOf('base64,') + 'base64,'.length), 'base64').toString()) as { sources: string[]; mappings: string; sourcesContent?: unknown };
}

describe('the prebuilt workflow bundle', () => {
  it('is fresh once built, and maps back to the workflows and the lib files they import without carrying their text', async () => {
    const { codePath } = await prebuiltWorkflowBundle(() => undefined);
    expect(existsSync(codePath)).toBe(true);
    expect(staleSource()).toBeUndefined();
    const map = inlineSourceMap(readFileSync(codePath, 'utf8'));
    expect(map.sources).toEqual(expect.arrayContaining([file('workflows/index.ts'), file('workflows/pipeline.ts'), file('lib/errors.ts')]));
    expect(map.sources.some((source) => source.includes('/activities/'))).toBe(false);
    expect(map.mappings.length).toBeGreaterThan(0);
    expect(map.sourcesContent).toBeUndefined();
  });
});
