// A worker thread of `--jobs N`: the CLI is TypeScript, so register tsx's loader in this thread
// too (a worker does not inherit the main thread's loader), then run the part runner.
import { register } from 'tsx/esm/api';

register();
await import('./partWorker.ts');
