import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadPolicy } from '../contracts/config.ts';
import { openProject } from '../project.ts';
import { authHeaders, downloadGguf, isPrivateAddress, normaliseModelUrl } from './download.ts';
import { createModelManager } from './model-manager.ts';

// Issue 12, findings 2 and 7: models-download fetched any address (SSRF), with no size limit and
// no check that the bytes were a GGUF ("Cannot read properties of undefined (reading 'architecture')").

const GGUF = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(4096, 7)]);
const LOOPBACK_OK: DownloadPolicy = { maxBytes: 1 << 20, allowLoopbackHttp: true, maxRedirects: 5 };

let dir: string;
let server: Server;
let target: Server;
let base: string;
let targetPort: number;
let targetHits = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-download-'));
  // The "internal service" a redirect tries to reach: it must never be asked anything.
  target = createServer((_req, res) => {
    targetHits++;
    res.end('internal secret');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetPort = (target.address() as AddressInfo).port;
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/model.gguf') return res.end(GGUF);
    if (url === '/page.html') return res.end('<!doctype html><html>not a model</html>');
    if (url === '/big.gguf') {
      res.writeHead(200, { 'content-length': String(2 << 20) });
      return res.end(Buffer.concat([Buffer.from('GGUF'), Buffer.alloc((2 << 20) - 4)]));
    }
    if (url === '/endless.gguf') {
      // no Content-Length: the cap has to be enforced while streaming
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write('GGUF');
      const timer = setInterval(() => res.write(Buffer.alloc(64 << 10)), 1);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const redirects: Record<string, string> = {
      '/to-localhost': `https://localhost:${targetPort}/x`,
      '/to-loopback-ip': `https://127.0.0.1:${targetPort}/x`,
      '/to-metadata': 'https://169.254.169.254/latest/meta-data/',
      '/to-private': 'https://10.1.2.3/model.gguf',
      '/to-mapped': `https://[::ffff:127.0.0.1]:${targetPort}/x`,
      '/to-http': `http://127.0.0.1:${targetPort}/x`,
      '/to-self': '/model.gguf',
    };
    const location = redirects[url];
    if (location) {
      res.writeHead(302, { location });
      return res.end();
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  target.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => target.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const fetchTo = (sub: string, url: string, policy = LOOPBACK_OK) => downloadGguf(url, { dir: join(dir, sub), policy });
const leftovers = (sub: string) => (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)) : []);

describe('model downloads', () => {
  it('keeps a GGUF, following a redirect to the same server', async () => {
    const path = await fetchTo('ok', `${base}/to-self`);
    expect(readFileSync(path).equals(GGUF)).toBe(true);
    expect(leftovers('ok')).toEqual(['model.gguf']);
  });

  it('is https only: plain http, even to loopback, needs the test flag', async () => {
    const strict = { ...LOOPBACK_OK, allowLoopbackHttp: false };
    await expect(fetchTo('http', `${base}/model.gguf`, strict)).rejects.toThrow(/https only/);
    await expect(fetchTo('http', 'ftp://example.com/model.gguf', strict)).rejects.toThrow(/https only/);
    expect(leftovers('http')).toEqual([]);
  });

  it('never follows a redirect to a private, loopback or link-local address', async () => {
    for (const path of ['/to-localhost', '/to-loopback-ip', '/to-metadata', '/to-private', '/to-mapped', '/to-http']) {
      await expect(fetchTo('redirect', `${base}${path}`), path).rejects.toThrow(/refused .*(private|https only)/);
    }
    expect(targetHits).toBe(0);
    expect(leftovers('redirect')).toEqual([]);
  });

  it('refuses a file that is not a GGUF, naming the URL, and keeps nothing', async () => {
    await expect(fetchTo('html', `${base}/page.html`)).rejects.toThrow(
      `${base}/page.html is not a GGUF model file (it starts with "<!do", not "GGUF"): nothing was kept`,
    );
    expect(leftovers('html')).toEqual([]);
  });

  it('caps the size from Content-Length and while streaming', async () => {
    await expect(fetchTo('big', `${base}/big.gguf`)).rejects.toThrow(/more than the limit of 1048576/);
    await expect(fetchTo('big', `${base}/endless.gguf`)).rejects.toThrow(/more than the limit of 1048576 bytes/);
    expect(leftovers('big')).toEqual([]);
  });

  it('through the Models page manager: a non-GGUF is a clear error, not a crash in the GGUF reader', async () => {
    const projectDir = join(dir, 'project');
    const project = openProject({ dir: projectDir, create: true, env: {} });
    const m = createModelManager(project.db, project.dir, { downloads: LOOPBACK_OK });
    await expect(m.download(`${base}/page.html`, {})).rejects.toThrow(/is not a GGUF model file/);
    expect(m.list().filter((x) => x.key.startsWith('project:'))).toEqual([]);
    await m.dispose();
    project.close();
  });

  it('sends HF_TOKEN to Hugging Face only, over https, and to no redirect target', () => {
    const env = { HF_TOKEN: 'hf_secret' };
    const hf = 'https://huggingface.co/org/model/resolve/main/m.gguf';
    expect(authHeaders(new URL(hf), env)).toEqual({ authorization: 'Bearer hf_secret' });
    expect(authHeaders(new URL('https://hf.co/org/model/resolve/main/m.gguf'), env)).toEqual({
      authorization: 'Bearer hf_secret',
    });
    expect(authHeaders(new URL(hf), {})).toEqual({});
    expect(authHeaders(new URL('http://huggingface.co/m.gguf'), env)).toEqual({});
    for (const other of [
      'https://cdn-lfs.huggingface.co/x',
      'https://huggingface.co.evil.test/m.gguf',
      'https://example.com/m.gguf',
    ])
      expect(authHeaders(new URL(other), env)).toEqual({});
  });

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '224.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
    expect(normaliseModelUrl('hf:owner/repo/sub/m.gguf').href).toBe(
      'https://huggingface.co/owner/repo/resolve/main/sub/m.gguf',
    );
    expect(() => normaliseModelUrl('not a url')).toThrow(/is not a URL/);
  });
});
