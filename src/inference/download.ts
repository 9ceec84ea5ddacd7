import { lookup } from 'node:dns/promises';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { basename, extname, join } from 'node:path';
import type { DownloadPolicy } from '../contracts/config.ts';
import { ForbiddenError, InputError } from '../errors/index.ts';

/** The bytes every GGUF file starts with. */
const GGUF_MAGIC = Buffer.from('GGUF', 'ascii');

function v4ToInt(a: string): number {
  return a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** The 8 hextets of an IPv6 address (with an embedded dotted IPv4 tail, if any). */
function v6Hextets(address: string): number[] {
  let a = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted?.[1]) {
    const n = v4ToInt(dotted[1]);
    a = `${a.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((x) => Number.parseInt(x, 16));
}

const V4_PRIVATE: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function inV4(address: string, [net, bits]: [string, number]): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (v4ToInt(address) & mask) >>> 0 === (v4ToInt(net) & mask) >>> 0;
}

/** The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), if any. */
function embeddedV4(h: number[]): string | null {
  const top = h.slice(0, 6);
  const mapped = top.slice(0, 5).every((x) => x === 0) && top[5] === 0xffff;
  const nat64 = h[0] === 0x64 && h[1] === 0xff9b && top.slice(2).every((x) => x === 0);
  const compat = top.every((x) => x === 0) && (h[6] ?? 0) !== 0;
  if (!mapped && !nat64 && !compat) return null;
  const hi = h[6] ?? 0;
  const lo = h[7] ?? 0;
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Loopback, private, link-local, carrier-grade NAT, multicast, reserved or unspecified. */
export function isPrivateAddress(address: string): boolean {
  const kind = isIP(address.replace(/%.*$/, ''));
  if (kind === 4) return V4_PRIVATE.some((r) => inV4(address, r));
  if (kind !== 6) return true;
  const h = v6Hextets(address);
  const v4 = embeddedV4(h);
  if (v4) return isPrivateAddress(v4);
  const first = h[0] ?? 0;
  if (h.every((x) => x === 0)) return true; // ::
  if (h.slice(0, 7).every((x) => x === 0) && h[7] === 1) return true; // ::1
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (first === 0x2001 && h[1] === 0x0db8) return true; // documentation
  if (first === 0x0100 && h.slice(1, 4).every((x) => x === 0)) return true; // discard-only
  return false;
}

export function isLoopbackAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) return inV4(address, ['127.0.0.0', 8]);
  if (kind !== 6) return false;
  const h = v6Hextets(address);
  const v4 = embeddedV4(h);
  if (v4) return isLoopbackAddress(v4);
  return h.slice(0, 7).every((x) => x === 0) && h[7] === 1;
}

/** `hf:owner/repo/path/file.gguf` is Hugging Face's file at the main revision. */
export function normaliseModelUrl(raw: string): URL {
  const text = raw.trim();
  const hf = /^hf:([\w.-]+)\/([\w.-]+)\/(.+\.gguf)$/i.exec(text);
  if (hf) return new URL(`https://huggingface.co/${hf[1]}/${hf[2]}/resolve/main/${hf[3]}`);
  if (text.startsWith('hf:'))
    throw new InputError(`"${text}": write Hugging Face files as hf:owner/repo/file.gguf`, { field: 'url' });
  try {
    return new URL(text);
  } catch {
    throw new InputError(`"${text}" is not a URL: give an https:// address of a .gguf file`, { field: 'url' });
  }
}

/**
 * The one address this hop may connect to: https (or loopback http when the policy allows it, for
 * the server the download started at only), and never a private, loopback or link-local address (except that loopback).
 * The name is resolved here and the connection is pinned to the checked address, so a DNS answer
 * that changes between the check and the connect cannot move it.
 */
async function checkHop(url: URL, first: boolean, policy: DownloadPolicy, original: string) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // The test flag allows the loopback server the download started at, and nothing else on loopback.
  const loopbackOk = policy.allowLoopbackHttp && (first || url.origin === new URL(original).origin);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackOk))
    throw new ForbiddenError(
      `refused ${url.href}${first ? '' : ` (a redirect from ${original})`}: models are downloaded over https only`,
    );
  if (url.username || url.password) throw new ForbiddenError(`refused ${url.href}: no credentials in download URLs`);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (cause) {
      throw new InputError(`cannot download ${original}: ${host} does not resolve (${String(cause)})`);
    }
  }
  for (const a of addresses) {
    if (isPrivateAddress(a.address) && !(loopbackOk && isLoopbackAddress(a.address)))
      throw new ForbiddenError(
        `refused ${url.href}${first ? '' : ` (a redirect from ${original})`}: ${host} is ${a.address}, a private, loopback or link-local address`,
      );
    if (url.protocol === 'http:' && !isLoopbackAddress(a.address))
      throw new ForbiddenError(`refused ${url.href}: plain http is allowed only to loopback (tests)`);
  }
  const pinned = addresses[0];
  if (!pinned) throw new InputError(`cannot download ${original}: ${host} has no address`);
  return pinned;
}

/**
 * Hugging Face's own clients send HF_TOKEN for gated and private models; so do we, but only to
 * Hugging Face itself (https, huggingface.co or hf.co), never to the hosts a download is redirected
 * to (its CDN takes signed URLs) or to any other server.
 */
export function authHeaders(url: URL, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const token = env.HF_TOKEN?.trim();
  const host = url.hostname.toLowerCase();
  if (!token || url.protocol !== 'https:') return {};
  return host === 'huggingface.co' || host === 'hf.co' ? { authorization: `Bearer ${token}` } : {};
}

function get(url: URL, pinned: { address: string; family: number }, signal: AbortSignal): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        signal,
        headers: { 'user-agent': 'compression-studio', accept: '*/*', ...authHeaders(url, process.env) },
        lookup: (_host, opts, cb) => {
          const o = opts as { all?: boolean };
          if (o.all) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
          else (cb as (e: null, a: string, f: number) => void)(null, pinned.address, pinned.family);
        },
        timeout: 60_000,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new InputError(`download of ${url.href} stalled for 60 s`)));
    req.on('error', reject);
    req.end();
  });
}

function fileNameFor(url: URL): string {
  const raw = decodeURIComponentSafe(basename(url.pathname)) || 'model.gguf';
  const clean =
    raw
      .replace(/[^\w.-]+/g, '_')
      .replace(/^\.+/, '')
      .slice(0, 120) || 'model';
  return extname(clean).toLowerCase() === '.gguf' ? clean : `${clean}.gguf`;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function freePath(dir: string, name: string): string {
  let path = join(dir, name);
  for (let i = 2; existsSync(path); i++) path = join(dir, `${name.slice(0, -5)}-${i}.gguf`);
  return path;
}

export interface DownloadOptions {
  dir: string;
  policy: DownloadPolicy;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Downloads a GGUF into `dir` and returns its path. Every hop is checked (see checkHop), the size
 * is capped by the policy (from Content-Length and while streaming), and the file is kept only if
 * it starts with the GGUF magic; anything refused leaves no file behind.
 */
export async function downloadGguf(rawUrl: string, options: DownloadOptions): Promise<string> {
  const { policy } = options;
  let url = normaliseModelUrl(rawUrl);
  const original = url.href;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const cancelled = () => new InputError(`download of ${rawUrl} cancelled`);
  try {
    for (let hop = 0; ; hop++) {
      if (options.signal?.aborted) throw cancelled();
      const pinned = await checkHop(url, hop === 0, policy, original);
      let res: IncomingMessage;
      try {
        res = await get(url, pinned, controller.signal);
      } catch (cause) {
        if (options.signal?.aborted) throw cancelled();
        if (cause instanceof InputError) throw cause;
        throw new InputError(`cannot download ${original}: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop >= policy.maxRedirects)
          throw new InputError(`cannot download ${original}: more than ${policy.maxRedirects} redirects`);
        url = new URL(res.headers.location, url);
        continue;
      }
      if (status !== 200) {
        res.resume();
        throw new InputError(`cannot download ${original}: the server answered HTTP ${status}`);
      }
      return await save(res, url, original, options, cancelled);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function save(
  res: IncomingMessage,
  url: URL,
  original: string,
  options: DownloadOptions,
  cancelled: () => Error,
): Promise<string> {
  const { policy } = options;
  const total = Number(res.headers['content-length'] ?? 0) || 0;
  if (total > policy.maxBytes) {
    res.destroy();
    throw new InputError(
      `cannot download ${original}: ${total} bytes is more than the limit of ${policy.maxBytes} (configs/security.yaml downloads.maxBytes)`,
    );
  }
  mkdirSync(options.dir, { recursive: true });
  const final = freePath(options.dir, fileNameFor(url));
  const part = `${final}.part`;
  const out = createWriteStream(part);
  let done = 0;
  let head = Buffer.alloc(0);
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      // The first reason wins: destroying the response emits its own 'aborted' and 'error'.
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        reject(e);
        res.destroy();
        out.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (head.length < 4) {
          head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
          if (head.length >= 4 && !head.equals(GGUF_MAGIC))
            return fail(
              new InputError(
                `${original} is not a GGUF model file (it starts with ${JSON.stringify(head.toString('latin1'))}, not "GGUF"): nothing was kept`,
              ),
            );
        }
        done += chunk.length;
        if (done > policy.maxBytes)
          return fail(
            new InputError(
              `cannot download ${original}: more than the limit of ${policy.maxBytes} bytes (configs/security.yaml downloads.maxBytes)`,
            ),
          );
        options.onProgress?.(done, total || done);
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      });
      res.on('end', () => {
        if (head.length < 4)
          return fail(new InputError(`${original} is not a GGUF model file (${done} bytes): nothing was kept`));
        out.end(resolve);
      });
      res.on('error', (e) => fail(options.signal?.aborted ? cancelled() : e));
      res.on('aborted', () =>
        fail(options.signal?.aborted ? cancelled() : new InputError(`download of ${original} was cut off`)),
      );
      out.on('error', fail);
    });
    if (options.signal?.aborted) throw cancelled();
    if (total && done !== total) throw new InputError(`download of ${original} stopped at ${done} of ${total} bytes`);
    renameSync(part, final);
    return final;
  } catch (error) {
    rmSync(part, { force: true });
    if (options.signal?.aborted) throw cancelled();
    throw error;
  }
}
