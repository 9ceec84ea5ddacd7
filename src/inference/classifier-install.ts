import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app-root.ts';
import { InputError } from '../errors/index.ts';
import { readClassifierMeta } from './classifier.ts';
import { loadInferenceConfig } from './config.ts';

/**
 * Puts a trained classifier (its exported folder) where configs/inference.yaml's `classify` model
 * looks (models/classifier by default), replacing the one there in one rename. Returns the path.
 */
export function installClassifier(modelDir: string, stage = 'classifier'): string {
  readClassifierMeta(modelDir); // refuses a folder that is not a classifier
  const entry = loadInferenceConfig().models[stage];
  const target = entry?.kind === 'classify' ? entry.path : join(appRoot(), 'models', 'classifier');
  const tmp = `${target}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(modelDir, tmp, { recursive: true });
  const old = `${target}.${process.pid}.old`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(tmp, target);
  rmSync(old, { recursive: true, force: true });
  return target;
}

/** The GGUF configs/inference.yaml prunes with (`pruner`): the teacher when distilling from `pruned`. */
export function configuredPrunerPath(): string {
  const entry = Object.values(loadInferenceConfig().models).find((m) => m.kind === 'prune');
  if (!entry || !existsSync(entry.path))
    throw new InputError(
      `no pruning model to label with${entry ? ` (no file at ${entry.path})` : ''}: studio models pull pruner, or approve pairs first`,
    );
  return entry.path;
}
