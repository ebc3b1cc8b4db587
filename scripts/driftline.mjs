#!/usr/bin/env node
// The `driftline` executable. Plain JavaScript so it can start from package.json "bin":
// it registers tsx's loader, then runs the TypeScript CLI from source.
import { register } from 'tsx/esm/api';

register();
await import('./cli/main.ts');
