import type { Db } from '../store/db.ts';
import type { Run } from '../store/runs.ts';
import { lastCheckpoint } from '../store/training.ts';

export interface Resumability {
  possible: boolean;
  /** Why not (or what resuming will do), for the button's place in the UI. */
  reason?: string;
}

const KEY_NAME = /\b[A-Z][A-Z0-9_]*_API_KEY\b/g;

/**
 * The key names a failed run was missing, one group per provider (a group is satisfied by any
 * of its names: "GEMINI_API_KEY or GOOGLE_API_KEY"). From the failure kind the job stored, or,
 * for runs failed before it was stored, from the error's words.
 */
function missingKeyGroups(run: Run): string[][] {
  const detail = run.summary.failureDetail as { env?: unknown } | undefined;
  if (run.summary.failureKind === 'missing-key' && Array.isArray(detail?.env))
    return detail.env.filter((e): e is string => typeof e === 'string').map((e) => e.match(KEY_NAME) ?? [e]);
  const error = run.error ?? '';
  if (!/missing|not set|needs|no API key/i.test(error)) return [];
  return (error.match(KEY_NAME) ?? []).map((name) => [name]);
}

/**
 * Whether "Resume" can succeed: only finished-unsuccessfully runs of a kind the API can start
 * again, and never while the key they failed for is still missing (resuming would fail the same way).
 */
export function resumability(db: Db, run: Run, hasKey: (env: string) => boolean): Resumability {
  if (run.status !== 'failed' && run.status !== 'cancelled') return { possible: false };
  const c = run.config;
  if (run.kind === 'export') return { possible: false, reason: 'exports are not resumed: export again' };
  if (run.kind === 'import' && !(Array.isArray(c.paths) && c.paths.length))
    return { possible: false, reason: 'no paths to import again' };
  if (run.kind === 'generation' && !['rules', 'prompted', 'pruned'].includes(String(c.strategy ?? 'rules')))
    return { possible: false, reason: `strategy ${String(c.strategy)} cannot be resumed from here` };
  const missing = missingKeyGroups(run).filter((group) => !group.some(hasKey));
  if (missing.length)
    return {
      possible: false,
      reason: `it failed for a missing key: set ${missing.map((g) => g.join(' or ')).join(', ')} first`,
    };
  if (run.kind === 'training') {
    if (c.runner === 'tinker') return { possible: true, reason: 'a Tinker run starts over' };
    if (!lastCheckpoint(db, run.id)) return { possible: false, reason: 'it saved no checkpoint: start a new run' };
  }
  return { possible: true };
}
