import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isProsePath, languageFromPath } from '../generation/languages.ts';

/** Never worth importing, ignored or not: version control and dependency caches. */
const ALWAYS_SKIP = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', '.tox', '.mypy_cache']);

export interface FolderEntry {
  path: string;
  /** Relative to the folder given, with forward slashes. */
  relative: string;
  bytes: number;
}

export interface SkippedFile {
  relative: string;
  reason: string;
}

interface Layer {
  base: string;
  rules: Ignore;
}

async function loadIgnore(dir: string): Promise<Ignore | undefined> {
  try {
    const text = await readFile(join(dir, '.gitignore'), 'utf8');
    return ignore().add(text);
  } catch {
    return undefined;
  }
}

function ignoredBy(layers: readonly Layer[], path: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const rel = relative(layer.base, path).split(sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/**
 * Walks a folder of code the way git sees it: every .gitignore on the way down applies to what is
 * below it. Yields files that are code or prose by extension; the rest are skipped with a reason.
 */
export async function* walkFolder(
  root: string,
  options: { maxFileBytes: number; skipped: SkippedFile[] },
): AsyncGenerator<FolderEntry> {
  async function* visit(dir: string, layers: Layer[]): AsyncGenerator<FolderEntry> {
    const own = await loadIgnore(dir);
    const here = own ? [...layers, { base: dir, rules: own }] : layers;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (ALWAYS_SKIP.has(entry.name) || ignoredBy(here, path, true)) continue;
        yield* visit(path, here);
        continue;
      }
      if (!entry.isFile() || ignoredBy(here, path, false)) continue;
      if (!languageFromPath(path) && !isProsePath(path)) {
        // Dotfiles (.gitignore, .env, .editorconfig) are tooling, not corpus: skipped without a word.
        if (entry.name.startsWith('.')) continue;
        options.skipped.push({ relative: rel, reason: 'not a code or text file type' });
        continue;
      }
      const { size } = await stat(path);
      if (size > options.maxFileBytes) {
        options.skipped.push({ relative: rel, reason: `larger than ${options.maxFileBytes} bytes` });
        continue;
      }
      yield { path, relative: rel, bytes: size };
    }
  }
  yield* visit(root, []);
}
