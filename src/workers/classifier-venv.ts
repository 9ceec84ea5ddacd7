import { join } from 'node:path';
import { appRoot } from '../app-root.ts';
import { ensureVenv } from './venv.ts';

/**
 * The token classifier's venv (`.cache/venv-classifier`, STUDIO_CLASSIFIER_VENV overrides): torch CPU
 * 2.13.0, transformers, onnx and onnxruntime, pinned in native/classifier/requirements.txt. Built
 * once, rebuilt when the pins change. Its workers: the classifier's trainer (src/training/classifier.ts)
 * and the sentence embedder's ONNX export (src/convert/minilm-onnx.ts).
 */
export function ensureClassifierVenv(
  options: { onProgress?: (message: string) => void; signal?: AbortSignal } = {},
): Promise<string> {
  return ensureVenv({
    dir: process.env.STUDIO_CLASSIFIER_VENV ?? join(appRoot(), '.cache', 'venv-classifier'),
    requirements: join(appRoot(), 'native', 'classifier', 'requirements.txt'),
    what: 'the token classifier venv',
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
