#!/usr/bin/env node
// The `driftline` executable. Plain JavaScript so it can start from package.json "bin": it runs
// the CLI compiled to one file (built here first when a source changed since the last build).
import { freshCliBundle } from './support/cli-bundle.mjs';

await import(await freshCliBundle((line) => console.error(`▸ ${line}`)));
