// The page, loaded by main.ts once the first training worker has been started.
// first: warms the pool and starts the Introduction's runs before the components below evaluate
import './ui/boot.ts';
import { mount } from 'svelte';
import App from './ui/App.svelte';
import { registerServiceWorker } from './ui/shell/serviceWorker.ts';

const target = document.getElementById('app')!;
target.replaceChildren(); // index.html's "loading" line
mount(App, { target });
registerServiceWorker();
