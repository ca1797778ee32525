/**
 * The first thing the page's script (app.ts) runs — imported before the app's components, so
 * that it is evaluated before them (ES modules run in import order): the pool takes the worker
 * that main.ts started, and the Introduction's runs are started, while the rest of the script is
 * still being evaluated and the page mounts. On a 2-core machine that overlap is most of the time
 * to the first live frame.
 */
import { introPair } from './intro/runs.ts';
import { page } from './state/page.svelte.ts';
import { sharedPool } from '../worker/pool.ts';

sharedPool().warm();
// opened at its top, the page shows the Introduction's figure first: its runs start now, while
// the page mounts, rather than once the figure has been laid out and seen (its observer pauses
// them if it is not on screen after all)
const navigation = performance.getEntriesByType('navigation')[0] as
  PerformanceNavigationTiming | undefined;
if (!location.hash && !page.view.section && navigation?.type === 'navigate')
  introPair.presumeOnScreen();
