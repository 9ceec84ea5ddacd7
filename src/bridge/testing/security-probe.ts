import { request } from 'node:http';
import { API_NAMES } from '../../contracts/api-names.ts';
import { LABELER_ALLOWED } from '../../contracts/api-roles.ts';

/**
 * Probes a running bridge the way an attacker with (or without) a token would: the role table on
 * every API route, then seeded random requests. Importable, so the security suite and a bench can
 * both run it and report the same counts.
 */

export interface ProbeTarget {
  /** http://127.0.0.1:PORT */
  base: string;
  ownerToken: string;
  labelerToken: string;
}

export interface Reply {
  status: number;
  body: string;
}

export interface ServerError {
  what: string;
  status: number;
  body: string;
}

export interface ProbeReport {
  requests: number;
  /** Route-table checks that did not hold ("labeler got 200 from jobs-train"). */
  violations: string[];
  fuzzCases: number;
  /** 5xx answers other than a retryable 503. */
  serverErrors: ServerError[];
  /** Retryable 503 answers (documented: a busy dependency, try again). */
  retryable503: number;
  /** How many fuzz answers had each status: shows the cases reached handlers, not only the token check. */
  statuses: Record<string, number>;
  /** Whether /api/project-info still answered 200 to the owner at the end. */
  aliveAfter: boolean;
}

/** One raw HTTP request with full control over headers (fetch would fix Host and some others). */
export function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
  timeoutMs = 30_000,
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          host: url.host,
          ...headers,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 65_536) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A small seeded PRNG (mulberry32): the same seed sends the same requests. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof seeded>;

const api = (base: string, name: string, token: string | null, args: unknown = {}) =>
  send(
    base,
    'POST',
    `/api/${encodeURIComponent(name)}`,
    { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    JSON.stringify(args),
  );

/**
 * For every API name: no token -> 401; the labeler's token -> 403 unless the role table allows
 * it; the owner's token -> neither 401 nor 403. Arguments are `{}`, so nothing heavy starts.
 */
export async function checkRouteTable(
  t: ProbeTarget,
  names: readonly string[] = API_NAMES,
): Promise<{ requests: number; violations: string[]; serverErrors: ServerError[] }> {
  const violations: string[] = [];
  const serverErrors: ServerError[] = [];
  let requests = 0;
  for (const name of names) {
    const none = await api(t.base, name, null);
    const labeler = await api(t.base, name, t.labelerToken);
    const owner = await api(t.base, name, t.ownerToken);
    requests += 3;
    if (none.status !== 401) violations.push(`${name}: no token got ${none.status}, not 401`);
    const allowed = LABELER_ALLOWED.has(name);
    if (allowed && (labeler.status === 401 || labeler.status === 403))
      violations.push(`${name}: a labeler got ${labeler.status} but the table allows it`);
    if (!allowed && labeler.status !== 403) violations.push(`${name}: a labeler got ${labeler.status}, not 403`);
    if (owner.status === 401 || owner.status === 403) violations.push(`${name}: the owner got ${owner.status}`);
    for (const [who, r] of [
      ['labeler', labeler],
      ['owner', owner],
    ] as const)
      if (r.status >= 500)
        serverErrors.push({ what: `${who} ${name} {}`, status: r.status, body: r.body.slice(0, 500) });
  }
  return { requests, violations, serverErrors };
}

const KEYS = [
  'labeler',
  'paths',
  'url',
  'id',
  'pairId',
  'query',
  'limit',
  'offset',
  'text',
  'search',
  'regex',
  'name',
  'decision',
  'status',
  'comment',
  'tokenizers',
  'key',
  'runner',
  'strategy',
  'format',
  '__proto__',
  'constructor',
  'prototype',
];

function randomString(r: Rng, max: number): string {
  const alphabets = [
    'abcdefghijklmnopqrstuvwxyz',
    '0123456789',
    '../\\%$*+?()[]{}|^.',
    ' \t\n\r\u0000\u001f',
    'éßø漢字🙂\u202e\ufeff',
  ];
  const n = r.int(max + 1);
  let s = '';
  for (let i = 0; i < n; i++) {
    const a = r.pick(alphabets);
    s += [...a][r.int([...a].length)] ?? 'a';
  }
  return s;
}

function randomValue(r: Rng, depth: number): unknown {
  const kind = r.int(depth > 5 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1, 2 ** 31, -(2 ** 53), 1e308, -1e-308, 0.5, 2.5, 7]);
    case 3:
    case 4:
      return randomString(r, r.next() < 0.05 ? 20_000 : 40);
    case 5:
      return r.pick(['/etc/passwd', '../../etc', 'http://127.0.0.1:1/', 'https://169.254.169.254/', '(a+)+$']);
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      const n = r.int(6);
      for (let i = 0; i < n; i++) o[r.next() < 0.7 ? r.pick(KEYS) : randomString(r, 12)] = randomValue(r, depth + 1);
      return o;
    }
    default:
      return Array.from({ length: r.int(6) }, () => randomValue(r, depth + 1));
  }
}

/** A JSON text nested `depth` levels: arrays or objects, the shape a recursive parser trips on. */
function deepJson(depth: number, obj: boolean): string {
  return obj ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

function randomHeaders(r: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  const n = r.int(4);
  for (let i = 0; i < n; i++) {
    const name = `x-${randomString(r, 8).replace(/[^a-z0-9]/g, '') || 'f'}`;
    h[name] = randomString(r, 60).replace(/[^\x20-\x7e]/g, '');
  }
  if (r.next() < 0.3)
    h['content-type'] = r.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ]);
  return h;
}

/**
 * Seeded random requests: names from the API (and random ones), random JSON of random shapes,
 * depths and sizes (and some bodies that are not JSON), random headers, random tokens; plus random
 * static paths, uploads and event streams. Counts every 5xx that is not a retryable 503.
 */
export async function fuzzBridge(
  t: ProbeTarget,
  options: { seed: number; cases: number; names?: readonly string[] },
): Promise<{
  requests: number;
  fuzzCases: number;
  serverErrors: ServerError[];
  retryable503: number;
  statuses: Record<string, number>;
}> {
  const r = seeded(options.seed);
  const names = options.names ?? API_NAMES;
  const serverErrors: ServerError[] = [];
  let retryable503 = 0;
  let requests = 0;
  const statuses: Record<string, number> = {};
  const note = (what: string, reply: Reply) => {
    requests++;
    statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
    if (reply.status < 500) return;
    if (reply.status === 503 && /"retryable":true/.test(reply.body)) retryable503++;
    else serverErrors.push({ what, status: reply.status, body: reply.body.slice(0, 500) });
  };
  for (let i = 0; i < options.cases; i++) {
    const token = r.pick([t.ownerToken, t.labelerToken, t.labelerToken, null, 'lab_forged', randomString(r, 30)]);
    // Header values must be visible ASCII, or the client itself refuses to send them.
    const auth: Record<string, string> =
      token === null ? {} : { authorization: `Bearer ${token.replace(/[^\x21-\x7e]/g, '')}` };
    const roll = r.next();
    if (roll < 0.8) {
      const name = r.next() < 0.85 ? r.pick(names) : randomString(r, 20);
      const body =
        r.next() < 0.9
          ? JSON.stringify(randomValue(r, 0))
          : r.pick([deepJson(5_000, true), deepJson(200_000, false), '{"a":', '\u0000\u0001', randomString(r, 200)]);
      const headers = { 'content-type': 'application/json', ...randomHeaders(r), ...auth };
      const what = `#${i} ${token === t.ownerToken ? 'owner' : token === t.labelerToken ? 'labeler' : 'other'} ${name} ${body.slice(0, 120)}`;
      note(what, await send(t.base, 'POST', `/api/${encodeURIComponent(name)}`, headers, body));
    } else if (roll < 0.9) {
      const path = r.pick([
        `/${encodeURIComponent(randomString(r, 30))}`,
        '/%E0%A4%A',
        '/%',
        '/..%2f..%2fetc%2fpasswd',
        `/assets/${randomString(r, 10).replace(/[^\w]/g, '')}.js`,
        '/index.html',
        '/%00',
      ]);
      note(`#${i} GET ${path}`, await send(t.base, 'GET', path, randomHeaders(r)));
    } else {
      const path = `/upload?batch=${encodeURIComponent(randomString(r, 10))}&path=${encodeURIComponent(randomString(r, 20))}`;
      note(
        `#${i} upload ${path}`,
        await send(t.base, 'POST', path, { ...randomHeaders(r), ...auth }, randomString(r, 100)),
      );
    }
  }
  return { requests, fuzzCases: options.cases, serverErrors, retryable503, statuses };
}

/** The route table, then the fuzzer, then one last question: is the server still answering? */
export async function runSecurityProbe(
  t: ProbeTarget,
  options: { seed?: number; cases?: number; names?: readonly string[] } = {},
): Promise<ProbeReport> {
  const table = await checkRouteTable(t, options.names);
  const fuzz = await fuzzBridge(t, {
    seed: options.seed ?? 12,
    cases: options.cases ?? 500,
    ...(options.names ? { names: options.names } : {}),
  });
  const last = await api(t.base, 'project-info', t.ownerToken);
  return {
    requests: table.requests + fuzz.requests + 1,
    violations: table.violations,
    fuzzCases: fuzz.fuzzCases,
    serverErrors: [...table.serverErrors, ...fuzz.serverErrors],
    retryable503: fuzz.retryable503,
    statuses: fuzz.statuses,
    aliveAfter: last.status === 200,
  };
}
