// The page's entry: it starts the training worker and only then loads the rest of the page
// (app.ts). Chromium begins to fetch a worker's script once the task that created it has ended,
// and evaluating the page's script and mounting it is one long task (~0.6 s on a 2-core laptop):
// started there, the worker would load only after it; started here, its script and WebAssembly
// load while the rest of the page's script arrives, runs and mounts (worker/spawn.ts).
import { startFirstWorker } from './worker/spawn.ts';
import './ui/global.css';

startFirstWorker();
void import('./app.ts');
