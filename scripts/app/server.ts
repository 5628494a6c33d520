/**
 * Serves the sample single-page app (examples/spa) over HTTPS on 127.0.0.1 — same-site with the local
 * tenant, so the tenant's session cookie reaches the silent-authentication iframe. The app is bundled with
 * esbuild when the server starts (auth0-spa-js from node_modules, nothing from a CDN); `/config.json` tells
 * it the tenant and its client.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { PROJECT_ROOT } from '../lib/build-actions';

export const SPA_DIR = path.join(PROJECT_ROOT, 'examples', 'spa');

export interface SampleAppConfig {
  /** The tenant, `host:port` (as AUTH0_DOMAIN). */
  domain: string;
  clientId: string;
  namespace: string;
}

export interface SampleApp {
  origin: string;
  port: number;
  /** Points the app at another client (tests create theirs once they know the origin). */
  configure(config: Partial<SampleAppConfig>): void;
  close(): Promise<void>;
}

export async function startSampleApp(options: { port?: number; cert: string; key: string; config: SampleAppConfig }): Promise<SampleApp> {
  const bundle = await esbuild.build({
    entryPoints: [path.join(SPA_DIR, 'app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.contents ?? new Uint8Array();
  const html = readFileSync(path.join(SPA_DIR, 'index.html'));
  let config = { ...options.config };
  const server = createServer({ cert: options.cert, key: options.key }, (request, response) => {
    const pathname = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string | Uint8Array) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
    };
    if (request.method !== 'GET') return send(405, 'text/plain; charset=utf-8', 'GET only');
    if (pathname === '/') return send(200, 'text/html; charset=utf-8', html);
    if (pathname === '/app.js') return send(200, 'text/javascript; charset=utf-8', script);
    if (pathname === '/config.json') return send(200, 'application/json', JSON.stringify(config));
    return send(404, 'text/plain; charset=utf-8', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    configure: (changes) => {
      config = { ...config, ...changes };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
