import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../errors/index.ts';
import { createEmbedder, type Embedder } from './minilm.ts';
import { createOnnxEmbedder, isOnnxEmbedderDir, readEmbedderMeta } from './minilm-onnx.ts';

/**
 * The sentence embedder a path names: an exported ONNX folder (embedder.json, model.onnx,
 * vocab.txt) runs in onnxruntime-node, batching windows; anything else is taken for a BERT GGUF and
 * runs in node-llama-cpp, one window a call on `contexts` contexts. The two give the same vectors
 * from the same weights (fp32 ONNX against f16 GGUF: cosine 1.0000 on a LoCoMo memory's turns).
 */
export function createSentenceEmbedder(options: {
  modelPath: string;
  /** Cores the embedder may use: one onnxruntime session of that many threads, or that many GGUF contexts of one thread. */
  cores: number;
}): Embedder {
  if (isOnnxEmbedderDir(options.modelPath))
    return createOnnxEmbedder({ modelDir: options.modelPath, threads: options.cores });
  if (options.modelPath.endsWith('.onnx') && existsSync(options.modelPath) && statSync(options.modelPath).isFile())
    throw new ConfigError(
      `query.embedder: ${options.modelPath} is an ONNX file: it takes an exported folder (model.onnx, vocab.txt, embedder.json: studio models pull minilm) or a GGUF`,
    );
  return createEmbedder({ modelPath: options.modelPath, threads: 1, contexts: options.cores });
}

/**
 * What a cached vector was made by, so vectors of another model, or of the same one at another
 * precision, are never mixed with these: an ONNX export's weights by hash (from its embedder.json);
 * a GGUF (and an export without the hash) by its name and size, as the cache has always keyed them.
 */
export function embedderKey(modelPath: string): string {
  const onnx = isOnnxEmbedderDir(modelPath);
  const sha = onnx ? readEmbedderMeta(modelPath).weightsSha256 : undefined;
  if (sha) return `onnx:${sha.slice(0, 32)}`;
  const weights = onnx ? join(modelPath, 'model.onnx') : modelPath;
  return `${basename(modelPath)}:${existsSync(weights) ? statSync(weights).size : 0}`;
}

/** A GGUF file, or an exported folder (the export renames it into place whole, embedder.json and all). */
export function embedderPresent(modelPath: string): boolean {
  return existsSync(modelPath) && (statSync(modelPath).isFile() || isOnnxEmbedderDir(modelPath));
}
