import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { z } from 'zod';
import { InputError, ModelLoadError } from '../errors/index.ts';

/**
 * An exported ONNX model folder (model.onnx, vocab.txt and a JSON file of facts about it), as the
 * token classifier and the sentence embedder write them: its facts checked by `schema`, or an
 * InputError naming the folder and the missing file, or the file and the field that is wrong.
 */
export function readOnnxFolder<S extends z.ZodType>(
  modelDir: string,
  metaName: string,
  schema: S,
  notWhat: string,
): z.infer<S> {
  const file = join(modelDir, metaName);
  for (const name of ['model.onnx', 'vocab.txt', metaName])
    if (!existsSync(join(modelDir, name)))
      throw new InputError(`${modelDir} has no ${name}: ${notWhat}`, { file: modelDir });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InputError('not valid JSON', { file, cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${issue?.message}`, {
      file,
      field: issue?.path.join('.') ?? '',
    });
  }
  return parsed.data;
}

/**
 * onnxruntime-node and a CPU session on `modelFile`, loaded on first use (the app starts without
 * onnxruntime's native library in memory). Waiting threads sleep rather than spin: spinning burns
 * the cores a shared CPU's other work needs and made 2 threads slower than 1 under load.
 */
export async function openOnnxSession(
  modelFile: string,
  threads: number,
  what = 'model',
): Promise<{ ort: typeof import('onnxruntime-node'); session: InferenceSession }> {
  // Outside the file's blame: a runtime that cannot be loaded is no fault of the model file.
  const ort = await import('onnxruntime-node');
  try {
    const session = await ort.InferenceSession.create(modelFile, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return { ort, session };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ModelLoadError(`cannot load the ${what} ${modelFile}: ${why}`, modelFile, { cause });
  }
}
