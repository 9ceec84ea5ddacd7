import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ensureMiniLM } from '../../embeddings/minilm.ts';
import { type Compressor, createCompressor } from '../compress.ts';
import { parseInferenceConfig } from '../config.ts';

/**
 * The set-up the query tests share: the MiniLM embedder (fetched once into the git-ignored cache)
 * and a temp folder for the SQLite vector caches, deleted afterwards. Call it inside a `describe`;
 * the function it returns makes a compressor of the rules stage and the query stage, its vectors
 * cached in `db` under that folder. For tests only (the dependency rules keep it out of the app).
 */
export function useMiniLMCompressor(prefix: string): {
  compressor: (db: string) => Compressor;
  /** The embedder's file, once the set-up ran. */
  modelPath: () => string;
  /** The temp folder, once the set-up ran. */
  dir: () => string;
} {
  let dir = '';
  let modelPath = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    modelPath = await ensureMiniLM();
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    compressor: (db) =>
      createCompressor(
        parseInferenceConfig({
          pipelines: { nl: ['rules'], chat: ['rules'], code: ['rules', 'code-path'], mixed: ['rules'] },
          query: { embedder: modelPath, embeddingCache: join(dir, db) },
        }),
      ),
    modelPath: () => modelPath,
    dir: () => dir,
  };
}
