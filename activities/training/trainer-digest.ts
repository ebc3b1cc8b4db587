import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentDigest } from '../../lib/data/digest';
import type { TrainerRef } from '../../lib/model/model-artifact';

const BUILT_IN_SOURCES = {
  ridge: ['../../lib/trainers/ridge-trainer.ts', '../../lib/model/ridge.ts'],
  'gradient-boosting': ['../../lib/trainers/gradient-boosting-trainer.ts', '../../lib/trainers/gradient-boosting/'],
  logistic: ['../../lib/trainers/logistic-trainer.ts'],
} as const;

/**
 * A digest of the trainer's own code: the built-in trainer's source, the team's module, or the
 * files a command names (its script). Recorded with each version next to the git commit.
 */
export async function trainerDigest(ref: TrainerRef): Promise<string> {
  const files =
    ref.kind === 'built-in'
      ? (await Promise.all(BUILT_IN_SOURCES[ref.name].map((relative) => sourceFiles(new URL(relative, import.meta.url))))).flat()
      : ref.kind === 'module'
        ? [ref.path]
        : ref.command.map((arg) => path.resolve(ref.cwd, arg));
  const contents = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => null)));
  return contentDigest({ kind: ref.kind, command: ref.kind === 'command' ? ref.command : undefined, contents });
}

/** A source path, or every file of a folder (a trainer's kernel), in name order. */
async function sourceFiles(url: URL): Promise<URL[]> {
  if (!url.pathname.endsWith('/')) return [url];
  const names = (await readdir(url).catch(() => [] as string[])).sort();
  return names.map((name) => new URL(name, url));
}
