import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLMCheckpoint } from '../convert/minilm-checkpoint.ts';
import { ensureMiniLMOnnx } from '../convert/minilm-onnx.ts';
import { InputError } from '../errors/index.ts';
import { ensureClassifierVenv } from '../workers/classifier-venv.ts';
import { runChild } from '../workers/run-child.ts';
import { cosine } from './cosine.ts';
import { createEmbedder, type Embedder, ensureMiniLM } from './minilm.ts';
import { createOnnxEmbedder, readEmbedderMeta } from './minilm-onnx.ts';
import { createSentenceEmbedder, embedderKey, embedderPresent } from './sentence-embedder.ts';
import { loadWordPiece } from './wordpiece.ts';

// Real models: all-MiniLM-L6-v2 exported to ONNX by native/classifier/export_embedder.py (fp32,
// the query stage's default, and int8) and the same checkpoint as an f16 GGUF, the reference here (its own
// test checks it against transformers).
let onnxDir: string;
let ggufPath: string;
let int8Dir: string;
let onnx: Embedder;
let gguf: Embedder;
let dir: string;

beforeAll(async () => {
  [onnxDir, ggufPath, int8Dir] = await Promise.all([
    ensureMiniLMOnnx(),
    ensureMiniLM(),
    ensureMiniLMOnnx({ precision: 'int8' }),
  ]);
  onnx = createOnnxEmbedder({ modelDir: onnxDir, threads: 1 });
  gguf = createEmbedder({ modelPath: ggufPath, threads: 1 });
  dir = mkdtempSync(join(tmpdir(), 'studio-onnx-embed-'));
}, 900_000);
afterAll(async () => {
  await onnx?.dispose();
  await gguf?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PARAGRAPH =
  'The committee approved the new budget for the public library, which will extend opening hours, ' +
  'buy more books for children and repair the roof before winter. ';
const TEXTS = [
  'A man is playing a guitar.',
  'Melanie: We went camping with the kids two weekends ago!',
  'Café naïve résumé: UNICODE test 123!',
  '',
  'ok',
  PARAGRAPH.repeat(20), // ~600 words: three windows of 256
  'Caroline: I went to the LGBTQ support group yesterday and it was so powerful.',
];

describe('sentence embeddings through onnxruntime (all-MiniLM-L6-v2 ONNX)', () => {
  it('gives the GGUF embedder’s vectors: short, accented, empty and multi-window texts, batched together', async () => {
    const [a, b] = [await onnx.embed(TEXTS), await gguf.embed(TEXTS)];
    expect(a).toHaveLength(TEXTS.length);
    for (const [i, v] of a.entries()) {
      expect(v.length).toBe(384);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      // measured: 0.99999+ for every text (f16 against fp32 weights)
      expect(cosine(v, b[i] as Float32Array)).toBeGreaterThan(0.9999);
    }
  }, 120_000);

  it('gives a text the same vector alone or in a batch padded to a longer one, in the order given', async () => {
    const many = Array.from(
      { length: 40 },
      (_, i) => `${'word '.repeat((i * 7) % 23)}note ${i} about ${['Leeds', 'Porto', 'Oslo'][i % 3]}`,
    );
    const together = await onnx.embed(many);
    for (const i of [0, 5, 17, 39]) {
      const [alone] = await onnx.embed([many[i] as string]);
      let diff = 0;
      for (const [d, x] of (alone as Float32Array).entries())
        diff = Math.max(diff, Math.abs(x - ((together[i] as Float32Array)[d] as number)));
      expect(diff).toBeLessThan(1e-5);
    }
    expect(await onnx.similarity('A man is playing a guitar.', 'Someone is strumming a guitar.')).toBeGreaterThan(0.6);
    expect(await onnx.similarity('A man is playing a guitar.', 'The stock market fell sharply today.')).toBeLessThan(
      0.2,
    );
  }, 120_000);

  it('int8 weights stay near the fp32 vectors and rank turns for a question alike', async () => {
    const int8 = createOnnxEmbedder({ modelDir: int8Dir, threads: 1 });
    try {
      const [a, b] = [await int8.embed(TEXTS), await onnx.embed(TEXTS)];
      const cos = a.map((v, i) => cosine(v, b[i] as Float32Array));
      // measured: 0.985-0.996 on these texts (0.990 median on a LoCoMo memory's turns and words)
      expect(Math.min(...cos)).toBeGreaterThan(0.95);
      expect(cos.reduce((s, x) => s + x, 0) / cos.length).toBeGreaterThan(0.98);
      const turns = TEXTS.filter((t) => t.includes(':') && !t.startsWith('Café'));
      for (const question of ['Where did they go camping?', 'What did Caroline attend?', 'What music is played?']) {
        const best = async (e: Embedder) => {
          const [q, ...vs] = await e.embed([question, ...turns]);
          const scores = vs.map((v) => cosine(q as Float32Array, v));
          return scores.indexOf(Math.max(...scores));
        };
        expect(await best(int8)).toBe(await best(onnx));
      }
    } finally {
      await int8.dispose();
    }
  }, 60_000);

  it('int8 weights give a text the same vector alone or beside other windows (each window runs alone)', async () => {
    const int8 = createOnnxEmbedder({ modelDir: int8Dir, threads: 1 });
    try {
      const turn = 'Melanie: We went camping with the kids two weekends ago!';
      const [alone] = await int8.embed([turn]);
      // Review: batched with a 254-token window, its dynamic quantisation scale was the batch's (0.9906).
      const [, beside] = await int8.embed([PARAGRAPH.repeat(3), turn, 'ok', 'Caroline: yes']);
      let diff = 0;
      for (const [d, x] of (alone as Float32Array).entries())
        diff = Math.max(diff, Math.abs(x - ((beside as Float32Array)[d] as number)));
      expect(diff).toBeLessThan(1e-6);
    } finally {
      await int8.dispose();
    }
  }, 60_000);

  it('runs a window repeated in a text once: a line of 50,000 dashes in seconds, its vector as before (session 40 F6)', async () => {
    // Before: 197 windows of one `-` repeated, each run in turn: 51 s on a loaded machine; a line of
    // 199,000 dashes with a question took 318 s through compress(), most of it here.
    const line = '-'.repeat(50_000);
    const t = performance.now();
    const [long] = await onnx.embed([line, 'A man is playing a guitar.']);
    expect(performance.now() - t).toBeLessThan(15_000);
    // The windows are 253 and 254 dashes: the text's vector is theirs, weighed by their tokens.
    const [a, b] = await onnx.embed(['-'.repeat(253), '-'.repeat(254)]);
    expect(cosine(long as Float32Array, a as Float32Array)).toBeGreaterThan(0.9999);
    expect(cosine(long as Float32Array, b as Float32Array)).toBeGreaterThan(0.9999);
  }, 120_000);

  it('tokenises as BertTokenizerFast does, tricky characters included', async () => {
    const texts = [
      'ΟΔΟΣ σοφός', // per-character lowercase: no final-sigma rule
      'bom\ufeffinside', // a format character inside a word is dropped, not a split
      'private\ue000use unassigned\u0378x', // a private-use character is dropped, an unassigned one stays ([UNK])
      'ext\u{2B820}e and \u{2B920}', // the tokenizers crate's CJK range
      'Café naïve İstanbul ﬁne ＡＢＣ',
      'tab\tnew\nline\rvertical\vform\ffeed nbsp\u00a0here zero\u200bwidth',
      "emoji😀 日本語 한국어 don't LGBTQ+ 2023-05-07",
      `${'a'.repeat(120)} ok`,
    ];
    const python = await ensureClassifierVenv();
    const model = await ensureMiniLMCheckpoint({ python });
    const script = join(dir, 'tokens.py');
    writeFileSync(
      script,
      'import json, sys\nfrom transformers import AutoTokenizer\nt = AutoTokenizer.from_pretrained(sys.argv[1])\n' +
        'print(json.dumps([t(x, add_special_tokens=False)["input_ids"] for x in json.loads(sys.stdin.read())]))',
    );
    let out = '';
    await runChild(python, [script, model], {
      what: 'the reference tokenizer',
      input: JSON.stringify(texts),
      env: { HF_HUB_OFFLINE: '1', TRANSFORMERS_VERBOSITY: 'error' },
      onStdout: (d) => {
        out += d;
      },
    });
    const wp = loadWordPiece(join(onnxDir, 'vocab.txt'));
    expect(texts.map((t) => wp.encodeText(t))).toEqual(JSON.parse(out));
  }, 300_000);

  it('stops between batches when the call is given up, with the reason, and embeds again after', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `${PARAGRAPH} ${i}`);
    const stop = new AbortController();
    const call = onnx.embed(texts, { signal: stop.signal });
    setTimeout(() => stop.abort(new Error('the caller went away')), 50);
    const started = performance.now();
    await expect(call).rejects.toThrow('the caller went away');
    // 200 paragraphs take seconds; it stopped at the next batch.
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(onnx.embed(['x'], { signal: AbortSignal.abort(new Error('already off')) })).rejects.toThrow(
      'already off',
    );
    const [v] = await onnx.embed(['A man is playing a guitar.']);
    expect(Math.hypot(...(v as Float32Array))).toBeCloseTo(1, 5);
  }, 60_000);

  it('is freed at dispose after the call running on it, and loads again on the next call', async () => {
    const own = createOnnxEmbedder({ modelDir: onnxDir, threads: 1 });
    const running = own.embed(TEXTS);
    await own.dispose();
    expect(await running).toHaveLength(TEXTS.length);
    const [v] = await own.embed(['again']);
    expect(v?.length).toBe(384);
    await own.dispose();
  }, 60_000);

  it('names the folder and the file or field when the folder is not a whole export', () => {
    const half = join(dir, 'half');
    cpSync(onnxDir, half, { recursive: true });
    rmSync(join(half, 'vocab.txt'));
    expect(() => createOnnxEmbedder({ modelDir: half })).toThrow(`${half} has no vocab.txt`);
    const bad = join(dir, 'bad');
    cpSync(onnxDir, bad, { recursive: true });
    writeFileSync(join(bad, 'embedder.json'), '{"version": 1, "kind": "token-classifier"}');
    expect(() => readEmbedderMeta(bad)).toThrow(InputError);
    expect(() => readEmbedderMeta(bad)).toThrow(/embedder\.json, field "kind"/);
    writeFileSync(join(bad, 'embedder.json'), '{not json');
    expect(() => readEmbedderMeta(bad)).toThrow(`${join(bad, 'embedder.json')}: not valid JSON`);
  });
});

describe('createSentenceEmbedder', () => {
  it('runs a folder in onnxruntime and a file in node-llama-cpp, with cache keys of their own', async () => {
    const a = createSentenceEmbedder({ modelPath: onnxDir, cores: 1 });
    const b = createSentenceEmbedder({ modelPath: ggufPath, cores: 1 });
    const [va] = await a.embed(['Melanie went camping.']);
    const [vb] = await b.embed(['Melanie went camping.']);
    expect(cosine(va as Float32Array, vb as Float32Array)).toBeGreaterThan(0.9999);
    await Promise.all([a.dispose(), b.dispose()]);
    expect(embedderKey(onnxDir)).toMatch(/^onnx:[0-9a-f]{32}$/);
    // Two exports under one folder name (review: same name, same size) keep their vectors apart.
    cpSync(onnxDir, join(dir, 'a', 'minilm.onnx'), { recursive: true });
    cpSync(int8Dir, join(dir, 'b', 'minilm.onnx'), { recursive: true });
    expect(embedderKey(join(dir, 'a', 'minilm.onnx'))).not.toBe(embedderKey(join(dir, 'b', 'minilm.onnx')));
    expect(embedderKey(ggufPath)).toMatch(/^all-minilm-l6-v2\.f16\.gguf:\d{7,}$/);
    expect(embedderPresent(onnxDir)).toBe(true);
    expect(embedderPresent(ggufPath)).toBe(true);
    expect(embedderPresent(dir)).toBe(false); // a folder without embedder.json
    expect(embedderPresent(join(dir, 'nothing'))).toBe(false);
    // A bare .onnx file is not taken for a GGUF (review: "Invalid GGUF magic" at the first call).
    expect(() => createSentenceEmbedder({ modelPath: join(onnxDir, 'model.onnx'), cores: 1 })).toThrow(
      /query\.embedder: .*is an ONNX file: it takes an exported folder/,
    );
  }, 60_000);
});
