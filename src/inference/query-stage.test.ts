import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureMiniLMOnnx } from '../convert/minilm-onnx.ts';
import { ensureMiniLM } from '../embeddings/minilm.ts';
import { createCompressor } from './compress.ts';
import { parseInferenceConfig } from './config.ts';
import { HANDBOOK, MEMORY } from './query/test-memory.ts';

/**
 * A broken embedder (a truncated model.onnx or GGUF, an unreadable embedder.json) costs the query
 * path its dense relevance, not the call: selection ranks by BM25 and the cues, the notes name the
 * file, and once the file is replaced the next call ranks with the vectors again.
 */

let dir: string;
let onnxDir: string;
let ggufPath: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'broken-embedder-'));
  [onnxDir, ggufPath] = await Promise.all([ensureMiniLMOnnx(), ensureMiniLM()]);
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rules and the select stage, with `embedder` as query.embedder and vectors in process only. */
const compressorWith = (embedder: string) =>
  createCompressor(
    parseInferenceConfig({
      pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules'], mixed: ['rules'] },
      query: { embedder, embeddingCache: 'off' },
    }),
  );

const query = 'What did Melanie paint?';
const denseOff = (notes: readonly string[]) => notes.find((n) => n.startsWith('select: dense relevance off'));

describe('a broken embedder', () => {
  it('a truncated model.onnx: the call ranks by BM25 and names the file; a repaired folder ranks with MiniLM', async () => {
    const folder = join(dir, 'truncated.onnx');
    cpSync(onnxDir, folder, { recursive: true });
    truncateSync(join(folder, 'model.onnx'), 100_000);
    const c = compressorWith(folder);
    try {
      const a = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(a.text).toContain('lake sunrise');
      expect(a.notes.join('\n')).toContain('BM25 only');
      expect(denseOff(a.notes)).toContain(`cannot load the embedding model ${join(folder, 'model.onnx')}`);
      expect(denseOff(a.notes)).toContain('studio models pull minilm --force');
      // Again with another query, the file unchanged: the same answer, not an error.
      const b = await c.compress(MEMORY, { query: 'What cake was at the birthday party?', ratio: 0.3 });
      expect(b.text).toContain('chocolate cake');
      expect(denseOff(b.notes)).toContain(join(folder, 'model.onnx'));
      // The export put back whole: the same call (cached before) now ranks with the vectors.
      cpSync(join(onnxDir, 'model.onnx'), join(folder, 'model.onnx'));
      const d = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(denseOff(d.notes)).toBeUndefined();
      expect(d.notes.join('\n')).toMatch(/BM25 \+ MiniLM, \d+ new embeddings/);
      expect(d.text).toContain('lake sunrise');
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('an embedder.json that is not JSON: named, and the call goes on without vectors', async () => {
    const folder = join(dir, 'badmeta.onnx');
    cpSync(onnxDir, folder, { recursive: true });
    writeFileSync(join(folder, 'embedder.json'), '{"kind": ');
    const c = compressorWith(folder);
    try {
      const a = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(a.text).toContain('lake sunrise');
      expect(denseOff(a.notes)).toContain(`${join(folder, 'embedder.json')}: not valid JSON`);
    } finally {
      await c.dispose();
    }
  });

  it('a truncated GGUF: named, and the call goes on without vectors', async () => {
    const file = join(dir, 'cut.gguf');
    writeFileSync(file, readFileSync(ggufPath).subarray(0, 200_000));
    const c = compressorWith(file);
    try {
      const a = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(a.text).toContain('lake sunrise');
      expect(denseOff(a.notes)).toContain(`cannot load the embedding model ${file}`);
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('a result made before the embedder was pulled is not served after: the same call ranks with MiniLM', async () => {
    const folder = join(dir, 'later.onnx');
    const c = compressorWith(folder);
    try {
      const a = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(denseOff(a.notes)).toContain(`no model file at ${folder}`);
      cpSync(onnxDir, folder, { recursive: true });
      const b = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(b.cached).toBe(false);
      expect(denseOff(b.notes)).toBeUndefined();
      expect(b.notes.join('\n')).toMatch(/BM25 \+ MiniLM, \d+ new embeddings/);
    } finally {
      await c.dispose();
    }
  }, 120_000);

  it('a bare model.onnx as query.embedder is a setting to fix: the call fails and says so', async () => {
    const c = compressorWith(join(onnxDir, 'model.onnx'));
    try {
      await expect(c.compress(MEMORY, { query, ratio: 0.3 })).rejects.toThrow(
        /query\.embedder: .*model\.onnx is an ONNX file: it takes an exported folder/,
      );
    } finally {
      await c.dispose();
    }
  });
});

describe('a selection that stops short of its budget', () => {
  it('says why: what is left ranks far below the best (review: "budget 1540", 258 tokens out, no reason)', async () => {
    const c = compressorWith(onnxDir);
    const handbook = HANDBOOK;
    try {
      const r = await c.compress(handbook, { query: 'How many days of leave do I get?', maxTokens: 130 });
      expect(r.text).toContain('27 days');
      const short = r.notes.find((n) => n.includes('tokens used:'));
      // The count said is the output's, as the result reports it.
      expect(short?.startsWith(`select: ${r.tokensAfter} of the 130`)).toBe(true);
      expect(short).toMatch(
        /^select: \d+ of the 130 tokens used: \d+ units left out rank far below the best for this query \(10 logits or more\), so the budget was not spent on them$/,
      );
      // Filled, nothing is said.
      const full = await c.compress(MEMORY, { query, ratio: 0.3 });
      expect(full.notes.some((n) => n.includes('tokens used:'))).toBe(false);
    } finally {
      await c.dispose();
    }
  }, 120_000);
});
