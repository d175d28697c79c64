/**
 * A tiny static file server for the built site: GET and HEAD of files under one directory, on
 * 127.0.0.1 and a port the system picks.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** A running server. */
export interface StaticServer {
  /** Its base URL, ending with `/`. */
  url: string;
  /** Every path requested so far, with the status it got. */
  requests: { path: string; status: number }[];
  /** Stops it; resolves once every connection is closed. */
  close(): Promise<void>;
}

/**
 * Serves `root` (a directory path `/` maps to its `index.html`).
 *
 * @param root - the directory to serve
 */
export async function serveDirectory(root: string): Promise<StaticServer> {
  const base = path.resolve(root);
  const requests: StaticServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const send = (status: number, body: Buffer | string, type = 'text/plain; charset=utf-8'): void => {
      requests.push({ path: req.url ?? '', status });
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'bad path');
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, `.${rel}`);
    if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'outside the site');
    fs.readFile(file, (err, data) => {
      if (err) return send(404, 'not found');
      send(200, data, TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
