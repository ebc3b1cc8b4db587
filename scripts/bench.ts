import { execSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseFlags } from './support/args';
import type { Benchmark, BenchResult } from './support/bench-contract';
import { runMain } from './support/exit-on-error';

const BENCH_DIR = fileURLToPath(new URL('./bench/', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../bench-results/', import.meta.url));

const USAGE = `Runs Driftline's benchmarks (each module in scripts/bench/) one after another and writes
bench-results/<name>.md and <name>.json. They are long and use the whole machine: not part of npm test.

usage: npm run bench [-- --only NAME [--only NAME …]] [-- --list]
  --only NAME   run only this benchmark (repeatable)
  --list        print the benchmarks and exit`;

const Flags = z.object({
  only: z.array(z.string()).default([]),
  list: z.boolean().default(false),
});

runMain(async () => {
  const flags = parseFlags({ only: { type: 'string', multiple: true }, list: { type: 'boolean' }, help: { type: 'boolean' } }, Flags, USAGE);
  const available = discover();
  if (flags.list) {
    console.log(available.join('\n'));
    return 0;
  }
  const unknown = flags.only.filter((name) => !available.includes(name));
  if (unknown.length > 0) throw new Error(`--only: no benchmark ${unknown.join(', ')} (known: ${available.join(', ')})`);
  const selected = flags.only.length > 0 ? flags.only : available;
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const name of selected) {
    console.log(`▸ ${name}`);
    const started = Date.now();
    const result = await (await load(name))((line) => console.log(`  ${line}`));
    const files = write(result, Date.now() - started);
    console.log(`  wrote ${files.join(', ')}`);
  }
  return 0;
});

/** Every scripts/bench/<name>.ts; helpers live in sub-folders. */
function discover(): string[] {
  return readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort();
}

async function load(name: string): Promise<Benchmark> {
  // worker-start.ts exports benchWorkerStart.
  const exportName = `bench${name.split('-').map((word) => `${word[0]?.toUpperCase()}${word.slice(1)}`).join('')}`;
  const module = (await import(pathToFileURL(path.join(BENCH_DIR, `${name}.ts`)).href)) as Record<string, unknown>;
  const run = module[exportName];
  if (typeof run !== 'function') throw new Error(`scripts/bench/${name}.ts must export a function ${exportName}(say)`);
  return run as Benchmark;
}

/** The result with where and when it was measured: numbers mean little without the machine. */
function write(result: BenchResult, elapsedMs: number): string[] {
  const machine = describeMachine();
  const header = [
    `# Benchmark: ${result.name}`,
    '',
    `Measured ${machine.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGb} GB), Node ${machine.node}, commit ${machine.commit}; ${Math.round(elapsedMs / 1000)} s in all. Regenerate with \`npm run bench -- --only ${result.name}\`.`,
    '',
  ].join('\n');
  const markdown = path.join(RESULTS_DIR, `${result.name}.md`);
  const json = path.join(RESULTS_DIR, `${result.name}.json`);
  writeFileSync(markdown, `${header}\n${result.markdown}\n`);
  writeFileSync(json, `${JSON.stringify({ name: result.name, machine, elapsedMs, ...result.data }, null, 2)}\n`);
  return [path.relative(process.cwd(), markdown), path.relative(process.cwd(), json)];
}

function describeMachine() {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // Not a git checkout: the numbers stand without a commit.
  }
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    commit,
  };
}
