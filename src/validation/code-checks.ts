import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCode } from '../code/parser.ts';
import { treeSignature } from '../code/signature.ts';
import { exitedCleanly } from '../workers/run-child.ts';
import { spawnWorker } from '../workers/spawn-worker.ts';
import { pythonAsts } from './code-ast/python.ts';
import { sameJsAst } from './code-ast/typescript.ts';

export interface AstCheck {
  same: boolean;
  method: 'python-ast' | 'typescript' | 'tree-sitter' | 'none';
  detail?: string;
}

/**
 * Is the compressed program the same program? Python's own ast (docstrings aside), the
 * TypeScript compiler for JS/TS, tree-sitter for the other languages it parses.
 */
export async function sameProgram(original: string, compressed: string, language: string | null): Promise<AstCheck> {
  if (language === 'python') {
    const [a, b] = await pythonAsts([original, compressed]);
    if (!b?.ok)
      return {
        same: false,
        method: 'python-ast',
        detail: `the compressed program does not parse${b && !b.ok ? ` (line ${b.line}: ${b.error})` : ''}`,
      };
    return { same: Boolean(a?.ok && a.dump === b.dump), method: 'python-ast' };
  }
  if (language === 'javascript' || language === 'typescript') {
    return { same: sameJsAst(original, compressed, language), method: 'typescript' };
  }
  if (!language) return { same: false, method: 'none', detail: 'unknown language' };
  const [a, b] = await Promise.all([parseCode(original, language), parseCode(compressed, language)]);
  if (!a || !b) return { same: false, method: 'none', detail: `no parser for ${language}` };
  try {
    const same =
      !b.rootNode.hasError && treeSignature(a, language).join('\u0001') === treeSignature(b, language).join('\u0001');
    return { same, method: 'tree-sitter' };
  } finally {
    a.delete();
    b.delete();
  }
}

export interface TestRun {
  passed: boolean;
  timedOut: boolean;
  stderrTail: string;
}

/**
 * Runs a program's unit tests (HumanEval's `check(candidate)`) in a child Python: isolated mode
 * (no user site, no environment paths), an empty temporary working folder, a bare environment,
 * and a time limit. It is a guard against accidents, not a jail for hostile code.
 */
export async function runPythonTests(
  program: string,
  test: string,
  entryPoint: string,
  timeoutMs = 10_000,
): Promise<TestRun> {
  const cwd = mkdtempSync(join(tmpdir(), 'studio-sandbox-'));
  const code = `${program}\n\n${test}\n\ncheck(${entryPoint})\n`;
  try {
    const exit = await spawnWorker({
      command: process.env.STUDIO_PYTHON ?? 'python3',
      args: ['-I', '-c', code],
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      inheritEnv: false,
      timeoutMs,
      graceMs: 0, // nothing to save: a program past its limit is killed at once
      stderrChars: 2000,
    }).done;
    if (exit.spawnError) return { passed: false, timedOut: false, stderrTail: String(exit.spawnError) };
    return {
      passed: exitedCleanly(exit),
      timedOut: exit.stopped?.kind === 'timeout',
      stderrTail: exit.stderr.trim().split('\n').slice(-3).join('\n'),
    };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
