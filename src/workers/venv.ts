import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StudioError } from '../errors/index.ts';
import { sha256 } from '../util/hash.ts';
import { joinTask, sharedTasks } from '../util/shared-task.ts';
import { readText, venvPython } from './files.ts';
import { runChild } from './run-child.ts';

/** pip installing torch on a slow connection. */
const SETUP_TIMEOUT_MS = 30 * 60_000;

export interface VenvSpec {
  /** The venv folder, created once and rebuilt when the requirements change. */
  dir: string;
  /** The requirements file installed into it (files it includes with -r count for the stamp too). */
  requirements: string;
  /** Says what the venv is for, first in messages. */
  what: string;
  onProgress?: (message: string) => void;
  /** Stops the build (a pull cancelled from the Models page): pip is killed, the half venv removed. */
  signal?: AbortSignal;
}

const building = sharedTasks<string>();

/**
 * A venv with a requirements file installed, built once: into a temporary folder renamed into
 * place with a stamp (the requirements' hash) inside, so a reader never sees half a venv and two
 * processes building at once both end with a whole one. Only `bin/python -m ...` is used, never
 * an entry-point script (their shebangs would name the temporary folder). Returns its Python.
 */
export function ensureVenv(spec: VenvSpec): Promise<string> {
  const python = venvPython(spec.dir);
  const want = requirementsDigest(spec.requirements);
  const stamp = join(spec.dir, 'studio-ready.json');
  if (readText(stamp) === want && existsSync(python)) return Promise.resolve(python);
  // Shared by every caller while it builds: one that cancels leaves it to the others.
  return joinTask(building, spec.dir, (signal) => buildVenv(spec, want, signal), spec.signal);
}

async function buildVenv(spec: VenvSpec, want: string, signal: AbortSignal): Promise<string> {
  if (process.platform === 'win32')
    throw new StudioError(`${spec.what}: the training workers run on macOS and Linux only`);
  const progress = spec.onProgress ?? (() => undefined);
  const base = process.env.STUDIO_PYTHON ?? 'python3';
  await checkPython(base);
  mkdirSync(dirname(spec.dir), { recursive: true });
  const tmp = `${spec.dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    progress(`${spec.what}: creating a Python venv`);
    const stop = { signal };
    await runChild(base, ['-m', 'venv', tmp], { what: `${base} -m venv`, ...stop });
    progress(`${spec.what}: installing ${spec.requirements.split('/').at(-1)} (a few minutes the first time)`);
    await runChild(
      venvPython(tmp),
      ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', spec.requirements],
      { what: `${spec.what}: installing the requirements`, timeoutMs: SETUP_TIMEOUT_MS, ...stop },
    );
    writeFileSync(join(tmp, 'studio-ready.json'), want);
    // Another process may have finished first: keep its venv (it may be running from it).
    if (readText(join(spec.dir, 'studio-ready.json')) !== want) {
      const old = `${spec.dir}.${process.pid}.old`;
      if (existsSync(spec.dir)) renameSync(spec.dir, old);
      renameSync(tmp, spec.dir);
      rmSync(old, { recursive: true, force: true });
    }
    progress(`${spec.what}: ready`);
    return venvPython(spec.dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function checkPython(base: string): Promise<void> {
  let version = '';
  try {
    await runChild(base, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      what: `checking ${base}`,
      onStdout: (t) => {
        version += t;
      },
    });
  } catch (cause) {
    throw new StudioError(
      `Python 3 was not found (tried "${base}"): install Python 3.10 or newer, or set STUDIO_PYTHON to its path. Local training needs it.`,
      { cause },
    );
  }
  const [major = 0, minor = 0] = version.trim().split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 10))
    throw new StudioError(
      `${base} is Python ${version.trim()}; the training workers need Python 3.10 or newer (set STUDIO_PYTHON)`,
    );
}

/** The requirements file and every file it includes with `-r`, hashed together. */
function requirementsDigest(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return '';
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const included = [...text.matchAll(/^\s*-r\s+(\S+)/gm)].map((m) =>
    requirementsDigest(join(dirname(file), m[1] ?? ''), seen),
  );
  return sha256([text, ...included].join('\0'));
}
