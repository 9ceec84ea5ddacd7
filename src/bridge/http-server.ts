import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type ApiContext, dispatch } from '../api.ts';
import { ConflictError, InputError, NotFoundError, StudioError, toWireError } from '../errors/index.ts';
import type { StudioEvent } from '../events.ts';

export interface BridgeOptions {
  ctx: ApiContext;
  host?: string;
  port?: number;
  token?: string;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** Where browser uploads land before they are imported. */
  uploadDir: string;
}

export interface RunningBridge {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

// The page may talk to its own origin only; no inline scripts, no eval, no framing.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function statusFor(error: unknown): 400 | 404 | 409 | 500 | 503 {
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof InputError) return 400;
  if (error instanceof StudioError && error.retryable) return 503;
  return 500;
}

/**
 * The same API as the desktop app's IPC, as JSON over HTTP with Server-Sent Events for progress.
 * Every /api, /events and /upload request needs the bearer token (EventSource, which cannot send
 * headers, passes it as ?token=). Requests whose Host is not this server are refused, so a web
 * page elsewhere cannot reach it through DNS rebinding.
 */
export function createBridgeApp(options: BridgeOptions & { token: string; allowedHosts: () => Set<string> }) {
  const { ctx, token } = options;
  const app = new Hono();

  app.use('*', async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (!options.allowedHosts().has(host)) return c.text('unknown host', 421);
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  });

  // Every data route needs the bearer token; the static app itself holds no data.
  const requireToken: Parameters<typeof app.use>[1] = async (c, next) => {
    const auth = c.req.header('authorization')?.replace(/^Bearer /i, '');
    if (!sameToken(auth, token))
      return c.json({ error: { name: 'AuthError', message: 'missing or wrong token', retryable: false } }, 401);
    await next();
  };
  app.use('/api/*', requireToken);
  app.use('/upload', requireToken);

  app.post('/api/:name', async (c) => {
    let args: unknown = {};
    const text = await c.req.text();
    if (text) {
      try {
        args = JSON.parse(text);
      } catch {
        return c.json(
          { error: { name: 'InputError', message: 'the request body is not JSON', retryable: false } },
          400,
        );
      }
    }
    try {
      const result = await dispatch(ctx, c.req.param('name'), args);
      return c.json({ result: result ?? null });
    } catch (error) {
      return c.json({ error: toWireError(error) }, statusFor(error));
    }
  });

  app.get('/events', (c) => {
    if (!sameToken(c.req.query('token'), token)) return c.text('missing or wrong token', 401);
    return streamSSE(c, async (stream) => {
      const queue: StudioEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = ctx.bus.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted) {
        if (!queue.length) {
          await Promise.race([new Promise<void>((r) => (wake = r)), stream.sleep(15_000)]);
          wake = undefined;
          if (!queue.length && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
        }
        while (queue.length && !stream.aborted) {
          const event = queue.shift() as StudioEvent;
          await stream.writeSSE({ event: 'studio', data: JSON.stringify(event) });
        }
      }
      unsubscribe();
    });
  });

  // One file of a browser upload: /upload?batch=ID&path=relative/path. Paths stay inside the batch.
  app.post('/upload', async (c) => {
    const batch = c.req.query('batch') ?? '';
    const rel = c.req.query('path') ?? '';
    if (!/^[\w-]{1,64}$/.test(batch))
      return c.json({ error: { name: 'InputError', message: 'batch must be a short id', retryable: false } }, 400);
    const clean = normalize(rel).replace(/^([/\\])+/, '');
    if (!clean || clean.startsWith('..') || clean.includes(`..${sep}`)) {
      return c.json({ error: { name: 'InputError', message: `unsafe path "${rel}"`, retryable: false } }, 400);
    }
    const dir = resolve(options.uploadDir, batch);
    const target = resolve(dir, clean);
    if (!target.startsWith(dir + sep))
      return c.json({ error: { name: 'InputError', message: `unsafe path "${rel}"`, retryable: false } }, 400);
    mkdirSync(dirname(target), { recursive: true });
    const body = c.req.raw.body;
    if (!body) return c.json({ error: { name: 'InputError', message: 'empty upload', retryable: false } }, 400);
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), createWriteStream(target));
    return c.json({ result: { dir, path: target } });
  });

  app.get('*', async (c) => {
    const url = new URL(c.req.url);
    const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html';
    let file = resolve(options.staticDir, normalize(rel));
    if (!file.startsWith(resolve(options.staticDir)) || !existsSync(file) || !extname(file))
      file = join(options.staticDir, 'index.html');
    if (!existsSync(file)) {
      return c.text('The app is not built: run "npm run build" (studio serve does this by itself when it can).', 503);
    }
    const data = await readFile(file);
    c.header('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    c.header('Content-Security-Policy', CSP);
    if (file.endsWith('index.html')) c.header('Cache-Control', 'no-store');
    return c.body(data);
  });

  return app;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;
  const allowed = new Set<string>();
  const app = createBridgeApp({ ...options, token, allowedHosts: () => allowed });
  const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolveServer(s));
    s.on('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  for (const h of ['127.0.0.1', 'localhost', '[::1]']) allowed.add(`${h}:${port}`);
  // On a LAN the bridge is reached by this machine's names and addresses: accept any Host then,
  // the token being what protects it.
  if (host !== '127.0.0.1' && host !== 'localhost') {
    const original = allowed.has.bind(allowed);
    allowed.has = (h: string) => original(h) || h.endsWith(`:${port}`);
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
