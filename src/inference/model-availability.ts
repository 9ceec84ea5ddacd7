import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether a model stage can run at all, answered without loading anything: a missing file is "no
 * model file" (reported as such, never as an error), and a file that failed to load is not tried
 * again until it changes (its mtime or size), so a broken model costs one load, not one per call.
 * A failure is remembered against what failed: a LoRA adapter that does not load is remembered
 * against the pair (model file, adapter file), not the model file, which the pruner, the model
 * without the adapter and the model with another adapter go on using; a context that cannot be
 * made (too large for the memory, say) against the model file with those context settings, so the
 * same file with other settings, and the pruner, are still tried.
 */

export interface ModelProblem {
  reason: 'no-model' | 'error';
  detail: string;
}

/** What a load failed on: the model file alone, or the model file with an adapter. */
export interface LoadTarget {
  path: string;
  adapter?: string | null;
  /** The context settings a generator asks for ("512 tokens x 1 sequence"): its context step's key. */
  context?: string | null;
}

export type Stamp = { mtimeMs: number; size: number } | null;

/** By the files' paths; the stamps are theirs when the load failed (null: the file was not there). */
const failures = new Map<string, { stamps: Stamp[]; detail: string }>();

/**
 * A file's time and size; a folder's (an exported ONNX model) the latest time and the total size
 * of its files, so a file copied back into it, or a folder renamed into place by a pull, changes it.
 * Null when it is not there (or went between two looks, a pull replacing it).
 */
export function stamp(path: string): Stamp {
  try {
    const st = statSync(path);
    if (!st.isDirectory()) return { mtimeMs: st.mtimeMs, size: st.size };
    let { mtimeMs } = st;
    let size = 0;
    for (const name of readdirSync(path)) {
      const f = statSync(join(path, name));
      mtimeMs = Math.max(mtimeMs, f.mtimeMs);
      size += f.size;
    }
    return { mtimeMs, size };
  } catch {
    return null;
  }
}

/** The stamps of a target's files now: a caller about to load may take them first (rememberLoadFailure). */
export const stampsOf = (target: LoadTarget): Stamp[] => filesOf(target).map(stamp);

const sameStamp = (a: Stamp, b: Stamp) => a?.mtimeMs === b?.mtimeMs && a?.size === b?.size;

const filesOf = (t: LoadTarget): string[] => (t.adapter ? [t.path, t.adapter] : [t.path]);

const keyOf = (files: string[], context?: string | null) => `${files.join('\n')}${context ? `\n@${context}` : ''}`;

/** The remembered failure of these files as they are now; one of them changed: forgotten. */
function remembered(files: string[], until: string, context?: string | null): ModelProblem | null {
  const key = keyOf(files, context);
  const failed = failures.get(key);
  if (!failed) return null;
  if (files.every((f, i) => sameStamp(stamp(f), failed.stamps[i] ?? null)))
    return { reason: 'error', detail: `${failed.detail} (not retried until ${until})` };
  failures.delete(key);
  return null;
}

export function modelProblem(target: LoadTarget): ModelProblem | null {
  const { path, adapter } = target;
  if (!existsSync(path)) return { reason: 'no-model', detail: `no model file at ${path}` };
  return (
    remembered([path], 'the file changes') ??
    (adapter ? remembered([path, adapter], 'the adapter file or the model file changes') : null) ??
    (target.context
      ? remembered([path], 'the file or its context settings (contextSize, sequences) change', target.context)
      : null)
  );
}

/**
 * Remembers that `target` (its files as they are now) failed to load: with an adapter, the pair
 * failed (the adapter step); with context settings, the file with them (the context step);
 * with neither, the model file did.
 */
export function rememberLoadFailure(target: LoadTarget, detail: string, stamps = stampsOf(target)): void {
  const files = filesOf(target);
  // The model file gone meanwhile: "no model file" says so on the next call.
  if (!stamps[0]) return;
  failures.set(keyOf(files, target.context), { stamps, detail });
}

const GGUF_FIXED_HEADER = 24;
const readable = new Map<string, { mtimeMs: number; size: number; problem: ModelProblem | null }>();

/**
 * Whether a GGUF file's header and tensor table parse (milliseconds, nothing loaded), once per
 * version of the file. llama.cpp given a file that starts "GGUF" and goes on as garbage can spin
 * without end: every call then waited for the model timeout and reported "timeout", never "error".
 */
export async function ggufProblem(path: string): Promise<ModelProblem | null> {
  const now = stamp(path);
  if (!now) return null;
  const known = readable.get(path);
  if (known && known.mtimeMs === now.mtimeMs && known.size === now.size) return known.problem;
  let problem: ModelProblem | null = null;
  try {
    // Not GGUF at all: the loader says so itself, at its model step.
    if (!isGguf(path)) return null;
    // Magic, version, tensor and metadata counts: node-llama-cpp's reader waits without end for
    // bytes a shorter file does not have ("GGUFnotreally").
    if (now.size < GGUF_FIXED_HEADER) throw new Error(`${now.size} bytes, shorter than a GGUF header`);
    const { readGgufFileInfo } = await import('node-llama-cpp');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('its header did not parse within 10 s')), 10_000);
    });
    const read = readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, sourceType: 'filesystem' });
    read.catch(() => undefined);
    await Promise.race([read, late]).finally(() => clearTimeout(timer));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    problem = { reason: 'error', detail: `${path} is not a readable GGUF file: ${why}` };
  }
  readable.set(path, { ...now, problem });
  return problem;
}

/** The file starts with GGUF's magic bytes (the loaders' first check, before llama.cpp sees it). */
export function isGguf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.toString('latin1') === 'GGUF';
  } finally {
    closeSync(fd);
  }
}
