import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, Hono } from 'hono';
import { sameToken } from '../util/same-token.ts';
import type { Compressor, CompressResult } from './compress.ts';
import type { InferenceConfig } from './config.ts';
import { decodeUtf8, errorJson, readBody, Window } from './http-util.ts';
import { providerErrorBody } from './proxy-errors.ts';
import {
  applySegments,
  findSegments,
  lastUserQuery,
  type ProxyProvider,
  parseMessageHeader,
  type Segment,
  textSlots,
  type UserQuery,
  writeBack,
} from './proxy-marks.ts';

/**
 * Proxy mode: Anthropic Messages, OpenAI Chat Completions and Gemini generateContent requests go
 * to the configured upstream with only the parts the caller marked compressed. The response
 * (streamed or not) is piped back byte for byte, with what happened in `x-compression` headers.
 * It fails open: a compression error or timeout forwards the original bytes and says why; and
 * when compressing would save fewer tokens than `proxy.minSavedTokens`, the original bytes go.
 */

/**
 * The line of a user's message that asks its question: the last of its last three lines with a "?",
 * else the last that is no tag or sign-off ("</memory>", "Thanks!"); undefined past 400 characters.
 */
function questionLine(text: string): string | undefined {
  const lines = text
    .trimEnd()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line =
    lines.slice(-3).findLast((l) => l.includes('?')) ??
    lines.findLast(
      (l) => !/^<\/?[\w-]+>$/.test(l) && !/^(?:thanks|thank you|cheers|best|regards)\b[^.?]{0,20}$/i.test(l),
    );
  return line && line.length <= 400 ? line : undefined;
}

export type ProxyOutcome = 'compressed' | 'none' | 'below-floor' | 'failed' | 'not-json';

export interface ProxyMetrics {
  requests: number;
  byProvider: Record<ProxyProvider, number>;
  outcomes: Record<ProxyOutcome, number>;
  savedTokens: number;
  /** Upstream calls that failed: no answer (a 502 of the proxy's), or an answer of 429 or 5xx. */
  upstreamErrors: number;
  /** The statuses of the answers the proxy wrote itself, upstream's piped through included. */
  byStatus: Record<string, number>;
  /** Time spent before the upstream request went out (ms). */
  overhead: Window;
  /** Compressions past the proxy's timeout still running, so that the next request finds their result cached. */
  finishing: number;
}

export function createProxyMetrics(window: number): ProxyMetrics {
  return {
    requests: 0,
    byProvider: { anthropic: 0, openai: 0, gemini: 0 },
    outcomes: { compressed: 0, none: 0, 'below-floor': 0, failed: 0, 'not-json': 0 },
    savedTokens: 0,
    upstreamErrors: 0,
    byStatus: {},
    overhead: new Window(window),
    finishing: 0,
  };
}

export interface ProxyDeps {
  compressor: Pick<Compressor, 'compressMany'> & Partial<Pick<Compressor, 'inFlight'>>;
  config: InferenceConfig;
  token: string;
  metrics: ProxyMetrics;
}

const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'x-compress-messages',
  'x-compressor-token',
  'x-compression-query',
  'x-compression',
]);

/** The caller's headers for the upstream; a body streamed through keeps its own length, if it said one. */
function forwardHeaders(headers: Headers, upstream: URL, length: number | 'streamed'): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key)) out[key] = value;
  });
  out.host = upstream.host;
  const said = headers.get('content-length');
  if (length !== 'streamed') out['content-length'] = String(length);
  else if (said !== null) out['content-length'] = said;
  return out;
}

function responseHeaders(headers: IncomingHttpHeaders, extra: Record<string, string>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding') continue;
    out[k] = v;
  }
  return { ...out, ...extra };
}

interface Plan {
  bytes: Buffer;
  outcome: ProxyOutcome;
  saved: number;
  reason?: string;
}

class ProxyTimeout extends Error {}

/** Compressions let run past the proxy's timeout at once: more would queue for the model behind each other. */
const PROXY_FINISHING = 1;

/** The response headers that say what the proxy did; header values are Latin-1, so the reason is printable ASCII. */
function compressionHeaders(outcome: ProxyOutcome, saved: number, reason?: string): Record<string, string> {
  return {
    'x-compression': outcome,
    'x-compression-saved-tokens': String(saved),
    ...(reason ? { 'x-compression-reason': reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 300) } : {}),
  };
}

/**
 * Which stage made each compressed part and why a model stage's output was not used (the words
 * `studio compress` prints), so a caller can tell the pruner's half from the rules' few percent.
 */
function stagesNote(results: readonly CompressResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    const part = r.fallback ? `${r.strategy} (${r.fallback.stage} not used: ${r.fallback.reason})` : r.strategy;
    counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  const parts = [...counts].map(([part, n]) => (n > 1 ? `${n} x ${part}` : part));
  const pending = results.some((r) => r.densePending)
    ? "; ranked by BM25 alone (proxy.denseWithinMs): the memory's first embedding pass goes on for the next request"
    : '';
  return `stage: ${parts.join(', ')}${pending}`;
}

/** How long a request's memory blocks wait for a new memory's vectors: the setting, else 60 % of the timeout. */
export function proxyDenseWithinMs(proxy: Pick<InferenceConfig['proxy'], 'denseWithinMs' | 'timeoutMs'>): number {
  return proxy.denseWithinMs ?? Math.floor(proxy.timeoutMs * 0.6);
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function compressBody(
  deps: ProxyDeps,
  provider: ProxyProvider,
  original: Buffer,
  header: string | null,
  queryHeader: string | null,
  client: AbortSignal,
): Promise<Plan> {
  const text = decodeUtf8(original);
  let body: unknown;
  try {
    body = text === undefined ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { bytes: original, outcome: 'not-json', saved: 0, reason: 'the body is not a JSON object: forwarded as is' };
  let named: Set<number | 'system'> | undefined;
  try {
    named = parseMessageHeader(header);
  } catch (error) {
    return { bytes: original, outcome: 'failed', saved: 0, reason: (error as Error).message };
  }
  const slots = textSlots(provider, body as Record<string, unknown>);
  // A message named that the request has not (or has no text in) is the caller's mistake, said as
  // one (review: "x-compress-messages: 5" on three messages read "nothing marked").
  const missing = [...(named ?? [])].filter((m) => !slots.some((s) => s.message === m));
  const present = [...new Set(slots.map((s) => s.message))];
  const missingNote = missing.length
    ? `x-compress-messages: no ${missing.map((m) => (m === 'system' ? 'system prompt' : `message ${m}`)).join(', ')} with text in the request (with text: ${present.join(', ') || 'none'})`
    : '';
  // None of those named there: the caller's mistake, the body as it came. Some: the others go on.
  if (missing.length && missing.length === named?.size)
    return { bytes: original, outcome: 'failed', saved: 0, reason: `${missingNote}: forwarded as is` };
  const segments = findSegments(slots, named);
  if (!segments.length) return { bytes: original, outcome: 'none', saved: 0, reason: 'nothing marked' };
  // Said in the caller's terms (review: the compressor's own "texts.0" named a field it never sent).
  const { maxTextChars } = deps.config.limits;
  const tooLong = segments.findIndex((seg) => seg.text.length > maxTextChars);
  if (tooLong >= 0) {
    const n = (v: number) => v.toLocaleString('en-US');
    const seg = segments[tooLong] as Segment;
    return {
      bytes: original,
      outcome: 'failed',
      saved: 0,
      reason: `the ${seg.kind === 'block' ? 'marked block' : 'named message'} ${tooLong + 1} of ${segments.length} is ${n(seg.text.length)} characters, over limits.maxTextChars (${n(maxTextChars)}): forwarded as is`,
    };
  }
  const { timeoutMs, minSavedTokens } = deps.config.proxy;
  const denseWithinMs = proxyDenseWithinMs(deps.config.proxy);
  const started = performance.now();
  // Marked blocks are compressed for the user's last question (proxy.query: last-user), unless
  // the request says `x-compression-query: off`; whole named messages never are.
  const asked = parseQueryHeader(queryHeader);
  if (asked instanceof Error) return { bytes: original, outcome: 'failed', saved: 0, reason: asked.message };
  const queryOff = asked === 'off' || (asked === undefined && deps.config.proxy.query === 'off');
  const offBy = asked === 'off' ? 'header' : queryOff ? 'config' : false;
  const asking = lastUserQuery(provider, body as Record<string, unknown>);
  const query = queryOff ? null : asking;
  let results: CompressResult[];
  let timer: NodeJS.Timeout | undefined;
  // The compression stops when the client leaves while it waits: abandoned, it would stay queued
  // for the model and run later for nobody, delaying every request behind it. Past the proxy's
  // timeout the original bytes go; when nothing else waits for the compressor, the compression goes
  // on to be cached (an app sends the same memory again: review, every such request paid the whole
  // timeout), one at a time (PROXY_FINISHING); otherwise it stops there.
  const giveUp = new AbortController();
  const signal = giveUp.signal;
  const leave = () => giveUp.abort(client.reason);
  if (client.aborted) leave();
  else client.addEventListener('abort', leave, { once: true });
  let finishing = false;
  try {
    const work = (async () => {
      const out: (CompressResult | undefined)[] = new Array(segments.length);
      const per = deps.config.limits.maxTexts;
      const run = async (picked: { seg: Segment; i: number }[], withQuery: boolean, protect?: string) => {
        for (let k = 0; k < picked.length; k += per) {
          const part = picked.slice(k, k + per);
          const rs = await deps.compressor.compressMany(
            part.map((p) => p.seg.text),
            // The wait is the request's: the texts sent after the first 64 get what is left of it.
            withQuery && query
              ? {
                  query: query.text,
                  signal,
                  denseWithinMs: Math.max(0, Math.floor(denseWithinMs - (performance.now() - started))),
                }
              : { signal, ...(protect ? { protect: [protect] } : {}) },
          );
          rs.forEach((r, j) => {
            out[(part[j] as { i: number }).i] = r;
          });
        }
      };
      const indexed = segments.map((seg, i) => ({ seg, i }));
      await run(
        indexed.filter((p) => p.seg.kind === 'block'),
        true,
      );
      // A named message holding the user's question keeps the question's line as written (review:
      // "x-compress-messages" naming the last user message sent "... Firmenessen", its question gone).
      const named = indexed.filter((p) => p.seg.kind === 'message');
      const asks = named.filter((p) => p.seg.slot.message === asking?.index);
      await run(
        named.filter((p) => !asks.includes(p)),
        false,
      );
      for (const p of asks) await run([p], false, questionLine(p.seg.text));
      return out as CompressResult[];
    })();
    work.catch(() => undefined);
    results = await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          client.removeEventListener('abort', leave);
          // Only when nothing else waits for the compressor: behind another caller's work it would
          // run later for no one waiting now, and delay what is queued after it.
          finishing =
            deps.metrics.finishing < PROXY_FINISHING &&
            (deps.compressor.inFlight?.() ?? Number.POSITIVE_INFINITY) <= segments.length;
          const { modelTimeoutMs } = deps.config.limits;
          const error = new ProxyTimeout(
            `compression took over ${timeoutMs} ms${finishing ? `; it goes on, and the next request with this memory gets its result (unless it takes over limits.modelTimeoutMs, ${modelTimeoutMs} ms, more)` : ''}`,
          );
          if (finishing) {
            deps.metrics.finishing++;
            // For the cache, not for as long as the model stage's own limit allows: that grows with
            // the text (limits.modelTimeoutMsPer1kTokens, minutes for a long one), and every request
            // after it would wait for the model as long.
            const stop = setTimeout(
              () =>
                giveUp.abort(
                  new ProxyTimeout(
                    `compression went on past limits.modelTimeoutMs (${modelTimeoutMs} ms) after the proxy's timeout`,
                  ),
                ),
              modelTimeoutMs,
            );
            work
              .finally(() => {
                clearTimeout(stop);
                deps.metrics.finishing--;
              })
              .catch(() => undefined);
          } else giveUp.abort(error);
          reject(error);
        }, timeoutMs);
      }),
    ]);
  } catch (error) {
    const reason = error instanceof ProxyTimeout ? `timeout: ${error.message}` : `error: ${(error as Error).message}`;
    return { bytes: original, outcome: 'failed', saved: 0, reason };
  } finally {
    clearTimeout(timer);
    if (!finishing) client.removeEventListener('abort', leave);
  }
  const saved = results.reduce((n, r) => n + (r.tokensBefore - r.tokensAfter), 0);
  const blocks = results.filter((_, i) => segments[i]?.kind === 'block');
  // Blocks that fit their budget were kept whole: nothing was selected for the question.
  const keptWhole = blocks.length > 0 && blocks.every((r) => r.keptWhole === true);
  const blocksNote = !blocks.length
    ? ''
    : keptWhole && !queryOff && query
      ? 'memory kept whole: it fits the budget, nothing to select; '
      : queryNote(query, offBy);
  if (saved < minSavedTokens)
    return {
      bytes: original,
      outcome: 'below-floor',
      saved: 0,
      reason: `${missingNote ? `${missingNote}; ` : ''}would save ${saved} tokens, under the floor of ${minSavedTokens}; ${blocksNote}${stagesNote(results)}`,
    };
  applySegments(
    segments,
    results.map((r) => r.text),
  );
  // The decoder took a byte-order mark off the text; the body goes on with it, as the caller sent it.
  const bom = original.subarray(0, 3).equals(UTF8_BOM) ? '\uFEFF' : '';
  return {
    bytes: Buffer.from((text !== undefined ? writeBack(bom + text, segments) : null) ?? JSON.stringify(body), 'utf8'),
    outcome: 'compressed',
    saved,
    reason: `${missingNote ? `${missingNote}; ` : ''}${blocksNote}${stagesNote(results)}`,
  };
}

/**
 * `x-compression-query`: `off` turns the question-aware selection off for this request, `on` (or
 * `last-user`) turns it on where the config has it off; anything else is refused (the original
 * forwarded, the reason naming the value), as a typo silently read as "on" would hide it.
 */
function parseQueryHeader(value: string | null): 'off' | 'last-user' | undefined | Error {
  if (value === null || !value.trim()) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'off') return 'off';
  if (v === 'on' || v === 'last-user') return 'last-user';
  return new Error(`x-compression-query: "${value.trim().slice(0, 40)}" is not off, on or last-user: forwarded as is`);
}

/**
 * A request's `x-compression`: `off` (or `none`) forwards it as it came, `on` (or absent) compresses;
 * anything else is refused as x-compression-query's typos are (null: compress).
 */
function compressionHeader(value: string | null): 'off' | Error | null {
  const v = value?.trim().toLowerCase();
  if (!v || v === 'on') return null;
  if (v === 'off' || v === 'none') return 'off';
  return new Error(`x-compression: "${(value ?? '').trim().slice(0, 40)}" is not off or on: forwarded as is`);
}

/** Which user message the memory blocks were selected for, as the reason header says it. */
function queryNote(query: UserQuery | null, off: 'header' | 'config' | false): string {
  if (off === 'header') return 'memory compressed without a query (x-compression-query: off); ';
  if (off === 'config') return 'memory compressed without a query (proxy.query: off); ';
  if (!query) return 'memory compressed without a query (no user message has a word to select by); ';
  const n = (v: number) => v.toLocaleString('en-US');
  const which =
    query.from === 'last'
      ? 'the last user message'
      : query.from === 'both'
        ? 'the last user message with the question before it (the last refers back to it)'
        : 'an earlier user message (the last has no word to select by, or no text)';
  return query.cutFrom === undefined
    ? `memory selected for ${which} (${n(query.text.length)} characters); `
    : `memory selected for the end of ${which} (its last ${n(query.text.length)} of ${n(query.cutFrom)} characters); `;
}

const countStatus = (metrics: ProxyMetrics, status: number) => {
  metrics.byStatus[status] = (metrics.byStatus[status] ?? 0) + 1;
};

/**
 * Sends `body` upstream and pipes the answer back untouched; resolves when the answer ended. The
 * body is the bytes to send, or `streamed`: the caller's request piped through as it arrives
 * (nothing held in memory, no size limit but the provider's).
 */
function forward(
  c: Context<{ Bindings: HttpBindings }>,
  provider: ProxyProvider,
  upstreamBase: string,
  body: Buffer | 'streamed',
  extra: Record<string, string>,
  metrics: ProxyMetrics,
): Promise<void> {
  const incoming = new URL(c.req.url);
  const base = new URL(upstreamBase);
  const target = new URL(base.pathname.replace(/\/$/, '') + incoming.pathname + incoming.search, base.origin);
  const outgoing = c.env.outgoing;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve) => {
    const up = send(
      target,
      {
        method: c.req.method,
        headers: forwardHeaders(c.req.raw.headers, target, body === 'streamed' ? body : body.length),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 502;
        if (status === 429 || status >= 500) metrics.upstreamErrors++;
        countStatus(metrics, status);
        outgoing.writeHead(status, responseHeaders(res.headers, extra));
        res.pipe(outgoing);
        res.on('end', () => resolve());
        res.on('error', () => {
          outgoing.destroy();
          resolve();
        });
      },
    );
    up.on('error', (error) => {
      metrics.upstreamErrors++;
      if (!outgoing.headersSent) {
        countStatus(metrics, 502);
        outgoing.writeHead(502, { 'content-type': 'application/json', ...extra });
        // In the provider's shape: the caller's SDK reads the reason from where its provider puts it.
        const message = `the upstream ${target.origin} failed: ${error.message}`;
        outgoing.end(JSON.stringify(providerErrorBody(provider, 502, 'UpstreamError', message, true)));
      } else {
        outgoing.destroy();
      }
      resolve();
    });
    // The caller went away mid-answer: stop the upstream call too (and never throw for it).
    outgoing.on('error', () => up.destroy());
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) up.destroy();
      resolve();
    });
    if (body === 'streamed') {
      const from = c.env.incoming;
      from.on('error', () => up.destroy());
      from.pipe(up);
    } else up.end(body);
  });
}

/** Counts a proxied request, checks its x-compressor-token and reads its body (a response when refused). */
async function admit(
  c: Context<{ Bindings: HttpBindings }>,
  deps: ProxyDeps,
  provider: ProxyProvider,
): Promise<Buffer | Response> {
  const refused = check(c, deps, provider);
  if (refused) return refused;
  const { config } = deps;
  const read = await readBody(c.req.raw, config.proxy.maxBodyBytes);
  if (!read.ok) {
    c.header('Connection', 'close');
    // Said as every other outcome is (review: the 413 had no x-compression headers).
    for (const [name, value] of Object.entries(compressionHeaders('failed', 0, read.message))) c.header(name, value);
    return c.json(providerErrorBody(provider, read.status, 'InputError', read.message), read.status);
  }
  return read.bytes;
}

/** Counts a proxied request and checks its x-compressor-token (a response when refused). */
function check(c: Context<{ Bindings: HttpBindings }>, deps: ProxyDeps, provider: ProxyProvider): Response | null {
  deps.metrics.requests++;
  deps.metrics.byProvider[provider]++;
  if (deps.config.proxy.requireToken && !sameToken(c.req.header('x-compressor-token'), deps.token))
    return c.json(providerErrorBody(provider, 401, 'AuthError', 'missing or wrong x-compressor-token'), 401);
  // The service's own token where the provider's key goes (an app's OPENAI_API_KEY set to it):
  // never handed to a provider (review: a chat request carried it upstream; the pass-through
  // routes already refused it).
  if (carriesServiceToken(c.req.raw, deps.token))
    return c.json(
      providerErrorBody(
        provider,
        401,
        'AuthError',
        "the compressor service's token was sent as the provider's API key: give the provider's key (the service's token goes in x-compressor-token)",
      ),
      401,
    );
  return null;
}

function providerRoute(deps: ProxyDeps, provider: ProxyProvider) {
  return async (c: Context<{ Bindings: HttpBindings }>) => {
    const t0 = performance.now();
    const { metrics, config } = deps;
    const read = await admit(c, deps, provider);
    if (read instanceof Response) return read;
    let plan: Plan;
    const switched = compressionHeader(c.req.header('x-compression') ?? null);
    if (switched !== null)
      plan = {
        bytes: read,
        outcome: switched === 'off' ? 'none' : 'failed',
        saved: 0,
        reason: switched === 'off' ? 'off for this request (x-compression: off)' : switched.message,
      };
    else
      try {
        plan = await compressBody(
          deps,
          provider,
          read,
          c.req.header('x-compress-messages') ?? null,
          c.req.header('x-compression-query') ?? null,
          c.req.raw.signal,
        );
      } catch (error) {
        plan = { bytes: read, outcome: 'failed', saved: 0, reason: `error: ${(error as Error).message}` };
      }
    metrics.outcomes[plan.outcome]++;
    metrics.savedTokens += plan.saved;
    const overhead = performance.now() - t0;
    // What the proxy added before the request went upstream (review: 5 ms or 15 s, and no way to tell).
    const extra = {
      ...compressionHeaders(plan.outcome, plan.saved, plan.reason),
      'x-compression-ms': String(Math.round(overhead)),
    };
    metrics.overhead.add(overhead);
    // The client left while its body was compressed: no one would read the upstream's answer.
    if (c.req.raw.signal.aborted) return RESPONSE_ALREADY_SENT;
    await forward(c, provider, config.proxy.upstreams[provider], plan.bytes, extra, metrics);
    return RESPONSE_ALREADY_SENT;
  };
}

const GEMINI = /^\/v1beta\/models\/[^/:]+:(generateContent|streamGenerateContent)$/;

/**
 * Whose API a request the proxy does not compress is meant for. The paths overlap (/v1/models,
 * /v1/files, /v1/batches are both Anthropic's and OpenAI's), so the SDK's own headers decide:
 * Anthropic's always sends anthropic-version, Gemini's x-goog-api-key (and /v1beta paths).
 */
export function providerOfCall(path: string, headers: Headers): ProxyProvider {
  if (path.startsWith('/v1beta/') || headers.has('x-goog-api-key')) return 'gemini';
  if (headers.has('anthropic-version') || headers.has('x-api-key')) return 'anthropic';
  return 'openai';
}

/** The key of an `Authorization: Bearer ...` header, if there is one. */
export const bearerOf = (authorization: string | null | undefined): string | undefined =>
  authorization?.replace(/^Bearer\s+/i, '');

/** Whether a request carries the service's own token where a provider's key would go. */
export function carriesServiceToken(request: Request, token: string): boolean {
  const { headers } = request;
  const bearer = bearerOf(headers.get('authorization'));
  // Gemini's REST API also takes the key as `?key=` (review: the service's token went upstream that way).
  const queryKey = new URL(request.url).searchParams.get('key');
  return [bearer, headers.get('x-api-key'), headers.get('x-goog-api-key'), queryKey].some(
    (key) => key !== undefined && key !== null && sameToken(key, token),
  );
}

/**
 * The rest of a provider's API (count tokens, model lists, embeddings, batches, files): an app
 * pointed at the proxy makes these calls too, and they reach the upstream untouched, as a
 * plain reverse proxy would send them, with `x-compression: none` saying nothing was compressed.
 */
export function proxyPassthrough(deps: ProxyDeps) {
  return async (c: Context<{ Bindings: HttpBindings }>) => {
    const t0 = performance.now();
    const { metrics, config } = deps;
    const path = new URL(c.req.url).pathname;
    // A call meant for the service itself (its token, or a path under its own routes, "/v1/compress/"
    // typed with a slash) is no provider's: forwarded, it would hand the service's token and the
    // caller's text to a provider (review).
    if (carriesServiceToken(c.req.raw, deps.token) || /^\/v1\/compress(?:\/|$)/.test(path))
      return c.json(
        errorJson(
          'NotFoundError',
          `no route ${c.req.method} ${path}: the service's are POST /v1/compress and GET /v1/models`,
        ),
        404,
      );
    const provider = providerOfCall(path, c.req.raw.headers);
    const refused = check(c, deps, provider);
    if (refused) return refused;
    metrics.outcomes.none++;
    metrics.overhead.add(performance.now() - t0);
    if (c.req.raw.signal.aborted) return RESPONSE_ALREADY_SENT;
    await forward(
      c,
      provider,
      config.proxy.upstreams[provider],
      'streamed',
      compressionHeaders('none', 0, `passed through to ${provider}: the proxy compresses only chat requests`),
      metrics,
    );
    return RESPONSE_ALREADY_SENT;
  };
}

/**
 * Adds the proxy routes to the service's app: the chat routes compressed, the rest passed through
 * (by `passthrough`, the service's own when it also routes calls to it).
 */
export function registerProxy(
  app: Hono<{ Bindings: HttpBindings }>,
  deps: ProxyDeps,
  passthrough = proxyPassthrough(deps),
): void {
  app.post('/v1/messages', providerRoute(deps, 'anthropic'));
  app.post('/v1/chat/completions', providerRoute(deps, 'openai'));
  const gemini = providerRoute(deps, 'gemini');
  app.post('/v1beta/models/*', async (c) => (GEMINI.test(new URL(c.req.url).pathname) ? gemini(c) : passthrough(c)));
  // Registered after the service's own routes (POST /v1/compress, GET /v1/models), which win.
  app.all('/v1/*', passthrough);
  app.all('/v1beta/*', passthrough);
}
