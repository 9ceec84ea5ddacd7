import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Python of a venv (the same layout `python3 -m venv` makes on every platform). */
export const venvPython = (venv: string) =>
  process.platform === 'win32' ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python');

/** A small file's text, or undefined when it is not there (stamps, pid files). */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
