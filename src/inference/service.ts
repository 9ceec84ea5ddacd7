import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type MiddlewareHandler } from 'hono';
import type { UnofficialStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { DomainSchema } from '../contracts/source.ts';
import { CancelledError, InputError, StudioError, toWireError } from '../errors/index.ts';
import { sameToken } from '../util/same-token.ts';
import type { Compressor, CompressResult } from './compress.ts';
import { QUERY_MAX_CHARS } from './compress-types.ts';
import { decodeUtf8, errorJson, readBody, Window } from './http-util.ts';
import { bearerOf, createProxyMetrics, type ProxyMetrics, proxyPassthrough, registerProxy } from './proxy.ts';

/**
 * `studio serve-compressor`: the compressor over HTTP. POST /v1/compress ({text} or {texts}, with
 * options), GET /v1/models, GET /health, GET /metrics; and the provider proxy routes. Bodies are
 * read up to the configured limit (413 past it, never truncated), must be UTF-8 JSON that the
 * schema accepts (else a 4xx naming the field), and every failure is a JSON error, never a crash.
 */

const OptionsSchema = z
  .strictObject({
    domain: DomainSchema.optional(),
    language: z.string().min(1).max(40).nullable().optional(),
    ratio: z.number().gt(0).max(1).optional(),
    model: z.string().min(1).max(200).optional(),
    protect: z.array(z.string().min(1).max(1000)).max(200).optional(),
    question: z.string().min(1).max(QUERY_MAX_CHARS).optional(),
    /** Query-aware selection: keep what this query needs (prose and dialogue). */
    query: z.string().min(1).max(QUERY_MAX_CHARS).optional(),
    /** Budget in o200k tokens, instead of a ratio. */
    maxTokens: z.number().int().positive().optional(),
    /** With a query: wait at most this long for a new memory's embedding, then rank by BM25 (CompressOptions). */
    denseWithinMs: z.number().int().min(0).max(600_000).optional(),
  })
  .refine((o) => o.ratio === undefined || o.maxTokens === undefined, {
    // The CLI refuses --ratio with --max-tokens; the service must not pick one of them silently.
    message: 'give "ratio" or "maxTokens", not both: one sets the budget',
    path: ['ratio'],
  });

const OneSchema = z.strictObject({ text: z.string(), options: OptionsSchema.optional() });
const ManySchema = z.strictObject({ texts: z.array(z.string()), options: OptionsSchema.optional() });

export interface ServiceMetrics {
  startedAt: number;
  requests: number;
  byStatus: Record<string, number>;
  texts: number;
  tokensBefore: number;
  tokensAfter: number;
  cacheHits: number;
  fallbacks: Record<string, number>;
  latency: Window;
  proxy: ProxyMetrics;
}

export interface ServiceOptions {
  compressor: Compressor;
  token?: string;
  /** Hosts (host:port) a request may name; the default accepts the loopback names of any port. */
  allowedHosts?: () => Set<string> | undefined;
}

function issueMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  const path = issue.path.join('.');
  // {"text", "query"}: the option is right, its place is not; say where it goes.
  if (issue.code === 'unrecognized_keys' && !path && issue.keys.every((k) => k in OptionsSchema.shape)) {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return `${keys} ${issue.keys.length === 1 ? 'goes' : 'go'} under "options": {"text": "...", "options": {${issue.keys.map((k) => `${JSON.stringify(k)}: ...`).join(', ')}}}`;
  }
  return `${path ? `${path}: ` : ''}${issue.message}`;
}

export function createCompressorService(options: ServiceOptions) {
  const { compressor } = options;
  const config = compressor.config;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const metrics: ServiceMetrics = {
    startedAt: Date.now(),
    requests: 0,
    byStatus: {},
    texts: 0,
    tokensBefore: 0,
    tokensAfter: 0,
    cacheHits: 0,
    fallbacks: {},
    latency: new Window(config.service.latencyWindow),
    proxy: createProxyMetrics(config.service.latencyWindow),
  };
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.onError((error, c) => {
    const status = error instanceof InputError ? 400 : error instanceof StudioError && error.retryable ? 503 : 500;
    return c.json({ error: toWireError(error) }, status);
  });
  app.notFound((c) =>
    c.json(errorJson('NotFoundError', `no route ${c.req.method} ${new URL(c.req.url).pathname}`), 404),
  );

  app.use('*', async (c, next) => {
    metrics.requests++;
    const host = c.req.header('host') ?? '';
    const allowed = options.allowedHosts?.();
    if (allowed && !allowed.has(host)) {
      metrics.byStatus['421'] = (metrics.byStatus['421'] ?? 0) + 1;
      return c.json(errorJson('HostError', `unknown host "${host}"`), 421);
    }
    await next();
    // A proxied answer was written straight to the socket: its response object must stay as it is.
    if (c.res === RESPONSE_ALREADY_SENT) return;
    const s = String(c.res.status);
    metrics.byStatus[s] = (metrics.byStatus[s] ?? 0) + 1;
    c.header('X-Content-Type-Options', 'nosniff');
  });

  const requireToken: MiddlewareHandler<{ Bindings: HttpBindings }> = async (c, next) => {
    const auth = c.req.header('authorization')?.replace(/^Bearer /i, '');
    if (!sameToken(auth, token)) return c.json(errorJson('AuthError', 'missing or wrong bearer token'), 401);
    await next();
  };
  const proxyDeps = { compressor, config, token, metrics: metrics.proxy };
  const passthrough = proxyPassthrough(proxyDeps);
  app.use('/v1/compress', requireToken);
  app.use('/v1/models', async (c, next) => {
    // GET /v1/models is also Anthropic's and OpenAI's model list: an SDK pointed at the proxy
    // (anthropic-version, or a bearer key that is not this service's token) reaches its provider.
    // A wrong service token is not a provider's key: a bearer goes to OpenAI only when it looks
    // like one (sk-...) or OpenAI's SDK sends it (review: "Bearer wrong" reached OpenAI).
    const bearer = bearerOf(c.req.header('authorization'));
    const openai =
      bearer !== undefined &&
      !sameToken(bearer, token) &&
      (bearer.startsWith('sk-') || /^OpenAI\//.test(c.req.header('user-agent') ?? ''));
    const providerCall =
      c.req.header('anthropic-version') !== undefined || c.req.header('x-api-key') !== undefined || openai;
    if (providerCall) return passthrough(c);
    return requireToken(c, next);
  });
  app.use('/metrics', requireToken);

  app.get('/health', (c) =>
    c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - metrics.startedAt) / 1000) }),
  );

  app.get('/v1/models', (c) =>
    c.json({
      models: compressor.models(),
      pipelines: config.pipelines,
      cache: compressor.cacheStats(),
    }),
  );

  app.get('/metrics', (c) => {
    const p = metrics.proxy;
    return c.json({
      uptimeSeconds: Math.round((Date.now() - metrics.startedAt) / 1000),
      requests: metrics.requests,
      // The proxy writes its forwarded answers to the socket itself: their statuses are its own count.
      byStatus: Object.fromEntries(
        [...new Set([...Object.keys(metrics.byStatus), ...Object.keys(p.byStatus)])].map((s) => [
          s,
          (metrics.byStatus[s] ?? 0) + (p.byStatus[s] ?? 0),
        ]),
      ),
      compress: {
        calls: metrics.latency.count,
        texts: metrics.texts,
        latencyMs: { p50: metrics.latency.percentile(50), p95: metrics.latency.percentile(95) },
        tokensBefore: metrics.tokensBefore,
        tokensAfter: metrics.tokensAfter,
        tokensSaved: metrics.tokensBefore - metrics.tokensAfter,
        cacheHits: metrics.cacheHits,
        fallbacks: metrics.fallbacks,
      },
      proxy: {
        requests: p.requests,
        byProvider: p.byProvider,
        outcomes: p.outcomes,
        tokensSaved: p.savedTokens,
        upstreamErrors: p.upstreamErrors,
        overheadMs: { p50: p.overhead.percentile(50), p95: p.overhead.percentile(95) },
        finishingAfterTimeout: p.finishing,
      },
      models: compressor.models().map((m) => ({ name: m.name, state: m.state })),
    });
  });

  app.post('/v1/compress', async (c) => {
    const t0 = performance.now();
    const read = await readBody(c.req.raw, config.service.maxBodyBytes);
    if (!read.ok) {
      // The rest of the body was not read: the connection cannot carry another request.
      c.header('Connection', 'close');
      return c.json(errorJson('InputError', read.message), read.status);
    }
    const text = decodeUtf8(read.bytes);
    if (text === undefined) return c.json(errorJson('InputError', 'the body is not valid UTF-8'), 400);
    if (!text.trim()) return c.json(errorJson('InputError', 'the body is empty: send {"text": "..."}'), 400);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return c.json(errorJson('InputError', `the body is not JSON: ${(error as Error).message}`), 400);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      return c.json(
        errorJson('InputError', 'the body must be a JSON object: {"text": "..."} or {"texts": ["...", ...]}'),
        400,
      );
    // The shape is chosen by its key, so an error names the field that is wrong.
    const parsed = ('texts' in json ? ManySchema : OneSchema).safeParse(json);
    if (!parsed.success) return c.json(errorJson('InputError', issueMessage(parsed.error)), 400);
    const body = parsed.data;
    const texts = 'text' in body ? [body.text] : body.texts;
    const { maxTextChars, maxTexts } = config.limits;
    if (texts.length > maxTexts)
      return c.json(errorJson('InputError', `texts: ${texts.length} texts, over the limit of ${maxTexts}`), 413);
    for (const [i, t] of texts.entries()) {
      const field = 'text' in body ? 'text' : `texts.${i}`;
      if (t.length > maxTextChars)
        return c.json(
          errorJson('InputError', `${field}: ${t.length} characters, over the limit of ${maxTextChars}`),
          413,
        );
    }
    let results: CompressResult[];
    // The request's signal aborts when the client disconnects before its answer (@hono/node-server:
    // the response's close): the compression stops, and its place in the model's queue goes.
    const opts = { ...body.options, signal: c.req.raw.signal };
    try {
      results =
        'text' in body ? [await compressor.compress(body.text, opts)] : await compressor.compressMany(body.texts, opts);
    } catch (error) {
      // 499 (client closed request): for the metrics only, nobody reads it.
      if (error instanceof CancelledError) return c.json({ error: toWireError(error) }, 499 as UnofficialStatusCode);
      const status = error instanceof InputError ? 400 : 500;
      return c.json({ error: toWireError(error) }, status);
    }
    metrics.latency.add(performance.now() - t0);
    for (const r of results) {
      metrics.texts++;
      metrics.tokensBefore += r.tokensBefore;
      metrics.tokensAfter += r.tokensAfter;
      if (r.cached) metrics.cacheHits++;
      if (r.fallback) metrics.fallbacks[r.fallback.reason] = (metrics.fallbacks[r.fallback.reason] ?? 0) + 1;
    }
    return c.json('text' in body ? { result: results[0] } : { results });
  });

  // A known route asked with the wrong method says which methods it takes, not "no route".
  // Hono answers HEAD from a GET route.
  const methods: Record<string, string> = {
    '/v1/compress': 'POST',
    '/v1/models': 'GET, HEAD',
    '/metrics': 'GET, HEAD',
    '/health': 'GET, HEAD',
  };
  for (const [path, allow] of Object.entries(methods))
    app.all(path, (c) => {
      c.header('Allow', allow);
      return c.json(errorJson('MethodError', `${c.req.method} ${path}: this route takes ${allow}`), 405);
    });

  registerProxy(app, proxyDeps, passthrough);
  return { app, token, metrics };
}

export interface RunningService {
  url: string;
  token: string;
  port: number;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

export interface StartServiceOptions extends ServiceOptions {
  host?: string;
  port?: number;
}

/** Listens (127.0.0.1 and the configured port unless told otherwise) with a deep accept backlog. */
export async function startCompressorService(options: StartServiceOptions): Promise<RunningService> {
  const config = options.compressor.config;
  const host = options.host ?? config.service.host;
  let port = options.port ?? config.service.port;
  const allowed = new Set<string>();
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const service = createCompressorService({
    ...options,
    // On loopback only loopback names are accepted (DNS rebinding); on a LAN the token protects it.
    allowedHosts: options.allowedHosts ?? (() => (loopback ? allowed : undefined)),
  });
  const server = createAdaptorServer({ fetch: service.app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client error (a malformed request line, a reset) is answered or dropped, never thrown.
  server.on('clientError', (_error: Error, socket: import('node:stream').Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  port = (server.address() as AddressInfo).port;
  for (const h of ['127.0.0.1', 'localhost', '[::1]']) allowed.add(`${h}:${port}`);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}`,
    token: service.token,
    port,
    metrics: service.metrics,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
