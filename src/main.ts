import { mount } from 'svelte';
import App from './ui/App.svelte';
import { introPair } from './ui/intro/runs.ts';
import { registerServiceWorker } from './ui/shell/serviceWorker.ts';
import { page } from './ui/state/page.svelte.ts';
import { sharedPool } from './worker/pool.ts';
import './ui/global.css';

// the first training worker loads and compiles its WebAssembly while the page mounts, so the
// Introduction's live figure has a worker ready when it first comes on screen
sharedPool().warm();
// opened at its top, the page shows the Introduction's figure first: its runs start now, while
// the page mounts, rather than once the figure has been laid out and seen (its observer pauses
// them if it is not on screen after all)
const navigation = performance.getEntriesByType('navigation')[0] as
  PerformanceNavigationTiming | undefined;
if (!location.hash && !page.view.section && navigation?.type === 'navigate')
  introPair.presumeOnScreen();
mount(App, { target: document.getElementById('app')! });
registerServiceWorker();
