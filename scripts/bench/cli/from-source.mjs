// The CLI as the executable started it before the compiled bundle: tsx's loader, then the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('../../cli/main.ts');
