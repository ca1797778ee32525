/**
 * A tiny static file server for the built site (dist/), mounted under a sub-path so the tests
 * prove the site works from any base path. Node's http only; 127.0.0.1 on a free port.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** the site's address, ending in the sub-path and a slash, e.g. http://127.0.0.1:43210/lab/ */
  url: string;
  /** every request's path and status, in order */
  log: { path: string; status: number }[];
  close(): Promise<void>;
}

export async function serveStatic(root: string, mount = '/lab/'): Promise<StaticServer> {
  const log: { path: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const reply = (status: number, body = '', headers: Record<string, string> = {}) => {
      log.push({ path, status });
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed');
    if (path === mount.slice(0, -1)) return reply(301, '', { location: mount });
    if (!path.startsWith(mount)) return reply(404, 'not found');
    const relative = normalize(path.slice(mount.length) || 'index.html');
    if (relative.startsWith('..') || relative.includes(`${sep}..`)) return reply(403, 'forbidden');
    let file = join(root, relative);
    void (async () => {
      try {
        let info = await stat(file);
        if (info.isDirectory()) {
          file = join(file, 'index.html');
          info = await stat(file);
        }
        log.push({ path, status: 200 });
        res.writeHead(200, {
          'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'content-length': String(info.size),
          'cache-control': 'no-store',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      } catch {
        reply(404, 'not found');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
