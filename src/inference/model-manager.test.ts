import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProject, type Project } from '../project.ts';
import { ensureSmolLM2 } from '../providers/local/test-model.ts';
import { listModels, registerModel } from '../store/training.ts';
import { createModelManager } from './model-manager.ts';

let dir: string;
let project: Project;
let server: Server;
let base: string;
let gguf: string;

beforeAll(async () => {
  gguf = ensureSmolLM2();
  // The config's pruner is this GGUF (its context, 2048 tokens, is configs/inference.yaml's).
  process.env.STUDIO_PRUNER_MODEL = gguf;
  dir = mkdtempSync(join(tmpdir(), 'studio-models-'));
  process.env.STUDIO_EMBEDDER_MODEL = join(dir, 'no-embedder.onnx');
  project = openProject({ dir, create: true, env: {} });
  // A file server on loopback: the GGUF, slowly for the cancel test.
  server = createServer((req, res) => {
    const size = statSync(gguf).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    if (!req.url?.includes('slow')) {
      createReadStream(gguf).pipe(res);
      return;
    }
    // 64 KB every 20 ms: a download that takes half a minute, to be cancelled.
    const stream = createReadStream(gguf, { highWaterMark: 64 * 1024 });
    stream.on('readable', function pump() {
      const chunk = stream.read();
      if (chunk === null) return;
      res.write(chunk);
      stream.off('readable', pump);
      setTimeout(() => stream.on('readable', pump) && pump(), 20);
    });
    stream.on('end', () => res.end());
    res.on('close', () => stream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  project.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Models page model manager', () => {
  it('downloads a GGUF with progress, registers it, and a cancelled download leaves nothing', async () => {
    // The test server is plain http on loopback, which only this policy flag allows.
    const m = createModelManager(project.db, project.dir, {
      downloads: { maxBytes: 2 ** 30, allowLoopbackHttp: true, maxRedirects: 5 },
    });
    const progress: number[] = [];
    const got = await m.download(`${base}/files/smollm2.gguf`, { onProgress: (done) => progress.push(done) });
    expect(got.exists).toBe(true);
    expect(got.bytes).toBe(statSync(gguf).size);
    expect(progress.at(-1)).toBe(statSync(gguf).size);
    expect(listModels(project.db).map((x) => x.name)).toContain('smollm2.gguf');

    const controller = new AbortController();
    const pending = m.download(`${base}/files/slow/other.gguf`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const outcome = await pending.then(
      (x) => `resolved ${x.path} ${x.bytes}`,
      (e: Error) => `rejected ${e.message}`,
    );
    expect(outcome).toBe(`rejected download of ${base}/files/slow/other.gguf cancelled`);
    expect(listModels(project.db).map((x) => x.name)).not.toContain('other.gguf');
    await m.dispose();
  }, 120_000);

  it('lists the sentence embedder query-aware selection needs, and whether it is there (review)', async () => {
    // Review: the Models page did not list it; whether it was there showed only by pressing Pull.
    const m = createModelManager(project.db, project.dir);
    const row = m.list().find((x) => x.key === 'config:embedder');
    expect(row).toMatchObject({
      name: 'embedder',
      kind: 'sentence embedder',
      path: join(dir, 'no-embedder.onnx'),
      exists: false,
      base: 'all-MiniLM-L6-v2',
    });
    // Nothing to load or to estimate: it loads at the first question.
    await expect(m.load('config:embedder')).rejects.toThrow(/loads at the first one/);
    await expect(m.fit('config:embedder')).rejects.toThrow(/it fits/);
  });

  it("estimates a config model's memory with the context it runs with (review: 4096 said, 2048 run)", async () => {
    const m = createModelManager(project.db, project.dir);
    const fit = await m.fit('config:pruner');
    expect(fit.detail).toContain('a 2048-token context');
    expect((await m.fit('config:pruner', 1024)).detail).toContain('a 1024-token context');
  }, 120_000);

  it('estimates memory before loading, loads step by step, tries a compression, unloads', async () => {
    const id = registerModel(project.db, { name: 'smol as a compressor', kind: 'gguf', path: gguf });
    const m = createModelManager(project.db, project.dir);
    const key = `project:${id}`;
    const fit = await m.fit(key, 2048);
    expect(fit.neededBytes).toBeGreaterThan(statSync(gguf).size * 0.5);
    expect(fit.fits).toBe(true);
    expect(fit.detail).toMatch(/GiB free of/);
    const loaded = await m.load(key);
    expect(loaded.state).toMatchObject({ model: 'ready', context: 'ready', adapter: 'none' });
    const r = await m.tryCompress(key, 'Alice: I moved to Lisbon on 3 May 2023 and I love it there.\nBob: Great!', {
      domain: 'chat',
    });
    expect(r.timings.map((t) => t.stage)).toContain('rules');
    // The untrained model's output is refused or used; either way the protected facts survive.
    for (const fact of ['Alice', 'Lisbon', '3 May 2023']) expect(r.text).toContain(fact);
    const unloaded = await m.unload(key);
    expect(unloaded.state.model).toBe('unloaded');
    await expect(m.load('project:9999')).rejects.toThrow(/no model project:9999/);
    await m.dispose();
  }, 180_000);
});
