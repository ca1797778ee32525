import { mount } from 'svelte';
import App from './ui/App.svelte';
import { registerServiceWorker } from './ui/shell/serviceWorker.ts';
import { sharedPool } from './worker/pool.ts';
import './ui/global.css';

// the first training worker loads and compiles its WebAssembly while the page mounts, so the
// Introduction's live figure has a worker ready when it first comes on screen
sharedPool().warm();
mount(App, { target: document.getElementById('app')! });
registerServiceWorker();
