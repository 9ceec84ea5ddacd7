import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { type ApiContext, dispatch } from '../api/index.ts';
import { loadSecurityConfig } from '../config.ts';
import { type Caller, OWNER } from '../contracts/api-roles.ts';
import { ConflictError, ForbiddenError, InputError, NotFoundError, StudioError, toWireError } from '../errors/index.ts';
import type { StudioEvent } from '../events.ts';
import { labelerForToken } from '../store/labelers.ts';
import { sameToken } from '../util/same-token.ts';
import { createAllowedRoots } from './allowed-roots.ts';
import { allowedHostHeaders } from './hosts.ts';
import { publicOrigin } from './invite.ts';

export interface BridgeLimits {
  /** API request bodies (JSON) over this get 413. */
  maxApiBodyBytes: number;
  /** One uploaded file over this gets 413 (its partial file removed). */
  maxUploadBytes: number;
}

export interface BridgeOptions {
  ctx: ApiContext;
  host?: string;
  port?: number;
  token?: string;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  /** Where browser uploads land before they are imported. */
  uploadDir: string;
  /** Folders `sources-import` may read besides the project and the upload folder (`studio serve --allow`). */
  allowRoots?: readonly string[];
  /** Host names answered besides loopback and this machine's own (`studio serve --allow-host`). */
  allowHosts?: readonly string[];
  /** Default: configs/security.yaml `serve`. */
  limits?: BridgeLimits;
}

export interface RunningBridge {
  url: string;
  /** The origin labelers' invite links use (this machine's network address when bound to 0.0.0.0). */
  origin: string;
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

function statusFor(error: unknown): 400 | 403 | 404 | 409 | 500 | 503 {
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof InputError) return 400;
  if (error instanceof StudioError && error.retryable) return 503;
  return 500;
}

const wire = (name: string, message: string) => ({ error: { name, message, retryable: false } });

class TooLarge extends Error {}

/** Counts bytes through a stream and fails it past `max`, so an upload is never held whole. */
function byteCap(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new TooLarge(`more than ${max} bytes`));
      else done(null, chunk);
    },
  });
}

type Env = { Variables: { caller: Caller } };

/**
 * The same API as the desktop app's IPC, as JSON over HTTP with Server-Sent Events for progress.
 * Every /api, /events and /upload request needs a token: the owner's (printed by `studio serve`)
 * or a labeler's own (`studio labelers add`); what each may call is src/contracts/api-roles.ts.
 * EventSource, which cannot send headers, passes it as ?token=. Requests whose Host is not this
 * server are refused (421), static files included, so a web page elsewhere cannot reach it through
 * DNS rebinding.
 */
export function createBridgeApp(
  options: BridgeOptions & { token: string; allowedHosts: () => Set<string>; limits: BridgeLimits },
) {
  const { ctx, token, limits } = options;
  const app = new Hono<Env>();

  app.use('*', async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!options.allowedHosts().has(host)) return c.text('unknown host', 421);
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
  });

  /** The owner, a labeler whose token is active, or nobody. Revoked tokens stop at once. */
  const callerFor = (given: string | undefined): Caller | null => {
    if (!given) return null;
    if (sameToken(given, token)) return OWNER;
    const name = labelerForToken(ctx.project.db, given);
    return name ? { role: 'labeler', name } : null;
  };

  const requireToken = async (c: Context<Env>, next: () => Promise<void>) => {
    const caller = callerFor(c.req.header('authorization')?.replace(/^Bearer /i, ''));
    if (!caller) return c.json(wire('AuthError', 'missing or wrong token'), 401);
    c.set('caller', caller);
    await next();
  };
  app.use('/api/*', requireToken);
  app.use('/upload', requireToken);
  // Read as a stream and stopped at the limit: a huge body never sits in memory.
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: limits.maxApiBodyBytes,
      onError: (c) => {
        c.header('Connection', 'close');
        return c.json(
          wire(
            'PayloadTooLarge',
            `request bodies are limited to ${limits.maxApiBodyBytes} bytes (configs/security.yaml)`,
          ),
          413,
        );
      },
    }),
  );

  app.post('/api/:name', async (c) => {
    let args: unknown = {};
    const text = await c.req.text();
    if (text) {
      try {
        args = JSON.parse(text);
      } catch {
        return c.json(wire('InputError', 'the request body is not JSON'), 400);
      }
    }
    try {
      const result = await dispatch(ctx, c.req.param('name'), args, c.get('caller'));
      return c.json({ result: result ?? null });
    } catch (error) {
      return c.json({ error: toWireError(error) }, statusFor(error));
    }
  });

  app.get('/events', (c) => {
    if (!callerFor(c.req.query('token'))) return c.text('missing or wrong token', 401);
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
  // Importing is the owner's: a labeler's token gets 403.
  app.post('/upload', async (c) => {
    if (c.get('caller').role !== 'owner') return c.json(wire('ForbiddenError', "a labeler's token cannot upload"), 403);
    const batch = c.req.query('batch') ?? '';
    const rel = c.req.query('path') ?? '';
    if (!/^[\w-]{1,64}$/.test(batch)) return c.json(wire('InputError', 'batch must be a short id'), 400);
    const clean = normalize(rel).replace(/^([/\\])+/, '');
    if (!clean || clean.startsWith('..') || clean.includes(`..${sep}`) || clean.includes('\0'))
      return c.json(wire('InputError', `unsafe path "${rel}"`), 400);
    const tooLarge = () => {
      c.header('Connection', 'close');
      return c.json(
        wire('PayloadTooLarge', `uploads are limited to ${limits.maxUploadBytes} bytes a file (configs/security.yaml)`),
        413,
      );
    };
    const declared = Number(c.req.header('content-length') ?? 0);
    if (declared > limits.maxUploadBytes) return tooLarge();
    const dir = resolve(options.uploadDir, batch);
    const target = resolve(dir, clean);
    if (!target.startsWith(dir + sep)) return c.json(wire('InputError', `unsafe path "${rel}"`), 400);
    const body = c.req.raw.body;
    if (!body) return c.json(wire('InputError', 'empty upload'), 400);
    mkdirSync(dirname(target), { recursive: true });
    try {
      await pipeline(
        Readable.fromWeb(body as import('node:stream/web').ReadableStream),
        byteCap(limits.maxUploadBytes),
        createWriteStream(target),
      );
    } catch (error) {
      rmSync(target, { force: true });
      if (error instanceof TooLarge) return tooLarge();
      throw error;
    }
    return c.json({ result: { dir, path: target } });
  });

  const staticRoot = resolve(options.staticDir);
  app.get('*', async (c) => {
    const url = new URL(c.req.url);
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      return c.text('bad percent-encoding in the path', 400);
    }
    if (decoded.includes('\0')) return c.text('bad path', 400);
    const rel = decoded.replace(/^\/+/, '') || 'index.html';
    let file = resolve(staticRoot, normalize(rel));
    // With the separator: a sibling such as dist/renderer-x/ is not inside dist/renderer/.
    if (!file.startsWith(staticRoot + sep) || !existsSync(file) || !extname(file))
      file = join(staticRoot, 'index.html');
    if (!existsSync(file)) {
      return c.text('The app is not built: run "npm run build" (studio serve does this by itself when it can).', 503);
    }
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch {
      // a folder named like a file (x.js/), or one that cannot be read: the app's own page
      data = await readFile(join(staticRoot, 'index.html'));
      file = join(staticRoot, 'index.html');
    }
    c.header('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    c.header('Content-Security-Policy', CSP);
    if (file.endsWith('index.html')) c.header('Cache-Control', 'no-store');
    return c.body(new Uint8Array(data));
  });

  app.onError((error, c) => c.json({ error: toWireError(error) }, statusFor(error)));

  return app;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;
  const security = loadSecurityConfig();
  const limits = options.limits ?? {
    maxApiBodyBytes: security.serve.maxApiBodyBytes,
    maxUploadBytes: security.serve.maxUploadBytes,
  };
  const extraHosts = [...security.serve.allowedHosts, ...(options.allowHosts ?? [])];
  let allowed = new Set<string>();
  // What sources-import may read: the project, the upload folder and the folders named at start.
  options.ctx.importRoots ??= createAllowedRoots([options.ctx.project.dir, options.uploadDir]);
  for (const r of options.allowRoots ?? []) options.ctx.importRoots.add(r);
  const app = createBridgeApp({ ...options, token, limits, allowedHosts: () => allowed });
  const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolveServer(s));
    s.on('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  allowed = allowedHostHeaders(host, port, extraHosts);
  const origin = publicOrigin(host, port);
  options.ctx.inviteOrigin ??= origin;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    origin,
    token,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
