// `npm run web`: serves the built page (dist/web) on localhost with the COOP/COEP headers that make it
// cross-origin isolated, so the WASM backend may use threads (SharedArrayBuffer). node:http only.
// Usage: node scripts/web.mjs [port]   (default 8080; 0 picks a free port; a busy or invalid port is refused in one
// line). The browser test imports startServer.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Serves the files under `root` on 127.0.0.1:`port`; resolves to { server, url } once listening.
 * `isolated: false` leaves out COOP/COEP, as a plain static host would (the page then runs WASM on one thread).
 */
export function startServer({ root = resolve(import.meta.dirname, '../dist/web'), port = 0, isolated = true } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = isolated ? {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    } : { 'Cache-Control': 'no-store' };
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      // A malformed escape such as %E0%A4%A: the client's mistake, not a reason for the server to stop.
      res.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('bad request: the path is not valid percent-encoded UTF-8');
      return;
    }
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    // base + sep, not base: dist/web-old starts with dist/web too.
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path} (run 'npm run build' to write dist/web)`);
    }
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done({ server, url: `http://localhost:${server.address().port}/` }));
  });
}

// pathToFileURL encodes the path as import.meta.url is (a space is %20), so a checkout under 'My Projects' still serves.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const given = process.argv[2] ?? process.env.PORT ?? '8080';
  const port = /^\d{1,5}$/.test(given) ? Number(given) : NaN;
  if (!(port >= 0 && port < 65536)) {
    console.error(`featurelab web: the port must be a whole number from 0 to 65535 (0: any free port), got '${given}'; e.g. npm run web -- 9000`);
    process.exit(2);
  }
  try {
    const { url } = await startServer({ port });
    console.log(`featurelab web page: ${url}  (dist/web, cross-origin isolated; Ctrl-C stops)`);
  } catch (e) {
    const why = e.code === 'EADDRINUSE' ? `port ${port} is in use (another server, or an earlier npm run web)`
      : e.code === 'EACCES' ? `port ${port} needs privileges this user lacks` : e.message;
    console.error(`featurelab web: cannot serve on 127.0.0.1:${port}: ${why}; pick another port, e.g. npm run web -- 9000 (0: any free port)`);
    process.exit(1);
  }
}
