import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

/**
 * The page's entry (src/main.ts) starts the training worker and only then imports the rest of
 * the page (src/app.ts), so Vite would fetch that chunk and its stylesheet only once the entry
 * has run. Preload links in index.html fetch them alongside the entry instead; they are still
 * evaluated only when imported, after the worker has started.
 */
function preloadApp(): Plugin {
  return {
    name: 'resnet-lab:preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        const app = Object.values(bundle ?? {}).find(
          (c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/app.ts'),
        );
        if (!app || app.type !== 'chunk') throw new Error('preload-app: no chunk for src/app.ts');
        // the entry is already fetched by its own <script>
        const entries = new Set(
          Object.values(bundle ?? {}).flatMap((c) =>
            c.type === 'chunk' && c.isEntry ? [c.fileName] : [],
          ),
        );
        return [
          ...[app.fileName, ...app.imports.filter((file) => !entries.has(file))].map((file) => ({
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` },
            injectTo: 'head' as const,
          })),
          ...[...(app.viteMetadata?.importedCss ?? [])].map((file) => ({
            tag: 'link',
            attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `./${file}` },
            injectTo: 'head' as const,
          })),
        ];
      },
    },
  };
}

export default defineConfig({
  // Relative asset URLs: the built site works from any base path (a sub-folder, a file server).
  base: './',
  plugins: [svelte(), preloadApp()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
