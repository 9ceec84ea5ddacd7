import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from './app-root.ts';

/**
 * The sample project data shipped in `samples/` (written for this project: conversations with
 * questions and answers, programs with tests, notes), copied into a project so a newcomer and the
 * README's examples have something real to work on. Files already in the project are kept as they
 * are, so running it twice changes nothing.
 */
export function copySamples(projectDir: string): { dir: string; files: string[] } {
  const from = join(appRoot(), 'samples');
  if (!existsSync(from)) throw new Error(`the sample data is missing from this install (${from})`);
  const to = join(projectDir, 'samples');
  cpSync(from, to, { recursive: true, force: false, errorOnExist: false });
  // Each file on its own, so each is read in its format (LoCoMo, HumanEval, messages JSONL, Markdown);
  // a folder would be read as a folder of code and text. The folder's README is not sample data.
  const files = readdirSync(to, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(json|jsonl|md)$/.test(f) && f !== 'README.md')
    .sort()
    .map((f) => join(to, f));
  return { dir: to, files };
}
