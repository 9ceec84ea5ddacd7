import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { createAppContext } from '../app-context.ts';
import { setUpTempApp, startTestBridge } from '../store/testing/project-fixture.ts';
import type { RunningBridge } from './http-server.ts';

let dir: string;
let app: ReturnType<typeof createAppContext>;
let bridge: RunningBridge;
let base: string;

setUpTempApp('studio-http-', (t) => ({ dir, app } = t), { per: 'file' });
beforeAll(async () => {
  bridge = await startTestBridge(app.ctx, dir, 'secret-token');
  base = `http://127.0.0.1:${bridge.port}`;
});
// Hooks after run last-registered first: the bridge closes before the app and the project.
afterAll(() => bridge.close());

const auth = { authorization: 'Bearer secret-token', 'content-type': 'application/json' };

describe('HTTP bridge', () => {
  it('answers API calls with the token and refuses them without it', async () => {
    const ok = await fetch(`${base}/api/pairs-list`, { method: 'POST', headers: auth, body: '{"limit":1}' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: expect.objectContaining({ total: 0, rows: [] }) });
    const none = await fetch(`${base}/api/pairs-list`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    const wrong = await fetch(`${base}/api/pairs-list`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=secret-token`);
  });

  it('maps bad input to 400, unknown things to 404, and a non-JSON body to 400', async () => {
    const bad = await fetch(`${base}/api/pairs-list`, { method: 'POST', headers: auth, body: '{"limit":"x"}' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.name).toBe('InputError');
    expect((await fetch(`${base}/api/nope`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/api/sources-get`, { method: 'POST', headers: auth, body: '{"id":99}' })).status).toBe(
      404,
    );
    expect((await fetch(`${base}/api/pairs-list`, { method: 'POST', headers: auth, body: '{oops' })).status).toBe(400);
  });

  it('refuses a request whose Host is not this server (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: bridge.port, path: '/', headers: { host: `evil.example:${bridge.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('serves the app with a strict CSP and falls back to index.html for app routes', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await (await fetch(`${base}/some/route`)).text()).toContain('<title>app</title>');
    expect((await fetch(`${base}/../../etc/passwd`)).status).toBe(200);
    expect(await (await fetch(`${base}/..%2f..%2fetc%2fpasswd`)).text()).toContain('<title>app</title>');
  });

  it('streams events over SSE to a client with the token', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/events?token=secret-token`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
    app.ctx.bus.emit({ type: 'store-changed', reason: 'sse-test' });
    while (!text.includes('sse-test')) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(/event: studio\ndata: \{"type":"store-changed","reason":"sse-test"\}/);
    controller.abort();
    expect((await fetch(`${base}/events`)).status).toBe(401);
  });

  it('stores uploads inside their batch folder and refuses paths that climb out', async () => {
    const ok = await fetch(`${base}/upload?batch=b1&path=${encodeURIComponent('corpus/a.jsonl')}`, {
      method: 'POST',
      headers: { authorization: auth.authorization },
      body: '{"text":"hi"}\n',
    });
    expect(ok.status).toBe(200);
    const { result } = (await ok.json()) as { result: { path: string } };
    expect(readFileSync(result.path, 'utf8')).toBe('{"text":"hi"}\n');
    expect(result.path).toBe(join(dir, 'uploads', 'b1', 'corpus', 'a.jsonl'));
    const climb = await fetch(`${base}/upload?batch=b1&path=${encodeURIComponent('../../x')}`, {
      method: 'POST',
      headers: { authorization: auth.authorization },
      body: 'x',
    });
    expect(climb.status).toBe(400);
    const noToken = await fetch(`${base}/upload?batch=b1&path=a`, { method: 'POST', body: 'x' });
    expect(noToken.status).toBe(401);
  });
});
