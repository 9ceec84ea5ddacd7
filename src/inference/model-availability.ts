import { existsSync, statSync } from 'node:fs';

/**
 * Whether a model stage can run at all, answered without loading anything: a missing file is "no
 * model file" (reported as such, never as an error), and a file that failed to load is not tried
 * again until it changes (its mtime or size), so a broken model costs one load, not one per call.
 */

export interface ModelProblem {
  reason: 'no-model' | 'error';
  detail: string;
}

const failures = new Map<string, { mtimeMs: number; size: number; detail: string }>();

function stamp(path: string): { mtimeMs: number; size: number } | null {
  try {
    const st = statSync(path);
    return { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return null;
  }
}

export function modelProblem(path: string): ModelProblem | null {
  if (!existsSync(path)) return { reason: 'no-model', detail: `no model file at ${path}` };
  const failed = failures.get(path);
  if (!failed) return null;
  const now = stamp(path);
  if (now && now.mtimeMs === failed.mtimeMs && now.size === failed.size)
    return { reason: 'error', detail: `${failed.detail} (not retried until the file changes)` };
  failures.delete(path);
  return null;
}

/** Remembers that the file at `path`, as it is now, failed to load. */
export function rememberLoadFailure(path: string, detail: string): void {
  const now = stamp(path);
  if (now) failures.set(path, { ...now, detail });
}
