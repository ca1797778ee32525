// first: starts the worker and the Introduction's runs before the components below evaluate
import './ui/boot.ts';
import { mount } from 'svelte';
import App from './ui/App.svelte';
import { registerServiceWorker } from './ui/shell/serviceWorker.ts';
import './ui/global.css';

mount(App, { target: document.getElementById('app')! });
registerServiceWorker();
