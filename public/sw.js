/*
 * ResNet Lab's offline service worker — hand-written: cache-first for a static site is a few
 * dozen lines, so a plugin (and its build step) would add more than it saves.
 *
 * - Versioned by the `v` of its URL (src/ui/shell/serviceWorker.ts passes a hash of the build's
 *   asset names): a new build installs a new worker, which deletes every older cache.
 * - Install: caches the page and the scripts, styles and fonts it references (found in index.html,
 *   in the scripts themselves — e.g. the training worker — and in the styles: KaTeX's woff2
 *   fonts, which a browser fetches only once a formula is on screen), so a reload works offline
 *   at once, formulas included. Not the woff and ttf fallbacks: browsers that run this worker
 *   all read woff2, so they never ask for them.
 * - Fetch: same-origin GETs are answered from the cache, else fetched and cached (runtime
 *   caching: the digits data set is cached once it has been used). The page itself is the one
 *   exception: network first, the cache when offline (ignoring the query: ?section=…, settings)
 *   — otherwise a cached page would keep naming the old build's worker and never update.
 *   Other origins are never touched.
 */
const VERSION = new URL(self.location.href).searchParams.get('v') || 'dev';
const CACHE = `resnet-lab-${VERSION}`;
const SCOPE = self.registration.scope;

/** Relative script/style/wasm/svg/woff2 names a text mentions, resolved against its URL. */
function referenced(text, base) {
  const out = new Set();
  const pattern = /["'`(]((?:\.{0,2}\/)?(?:[\w-]+\/)*[\w.-]+\.(?:js|css|wasm|svg|woff2))["'`)]/g;
  for (const match of text.matchAll(pattern)) {
    // a bare name ("assets/x.css", as Vite's preload lists write a lazy section's files) is
    // relative to the site, not to the script that names it: try both, a miss is skipped
    const bases = /^\.{0,2}\//.test(match[1]) ? [base] : [base, SCOPE];
    for (const b of bases)
      try {
        const url = new URL(match[1], b);
        if (url.origin === self.location.origin && url.href.startsWith(SCOPE)) out.add(url.href);
      } catch {
        /* not a URL */
      }
  }
  return out;
}

async function precache() {
  const cache = await caches.open(CACHE);
  const seen = new Set();
  let queue = [SCOPE];
  // the page, what it references, and what those reference (five levels are enough for Vite:
  // index.html → the entry → the app → a section's chunk → its CSS → KaTeX's fonts)
  for (let level = 0; level < 6 && queue.length; level++) {
    const next = [];
    for (const url of queue) {
      if (seen.has(url)) continue;
      seen.add(url);
      const response = await fetch(url, { cache: 'no-cache' });
      if (!response.ok) continue;
      await cache.put(url, response.clone());
      const type = response.headers.get('content-type') || '';
      if (/html|javascript|css/.test(type))
        for (const ref of referenced(await response.text(), url)) next.push(ref);
    }
    queue = next;
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name.startsWith('resnet-lab-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.headers.has('range')) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (request.mode === 'navigate' && /\/(index\.html)?$/.test(url.pathname)) {
        try {
          const response = await fetch(request);
          if (response.ok) await cache.put(SCOPE, response.clone());
          return response;
        } catch (error) {
          const page = await cache.match(SCOPE);
          if (page) return page;
          throw error;
        }
      }
      const hit = await cache.match(request);
      if (hit) return hit;
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
      return response;
    })(),
  );
});
