import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerCrashedError } from '../errors/index.ts';
import { pythonAsts } from './code-ast/python.ts';
import { runPythonTests, sameProgram } from './code-checks.ts';

const ADD = 'def add(a, b):\n    return a + b\n';
const CHECK = 'def check(candidate):\n    assert candidate(2, 3) == 5\n';

describe('runPythonTests: user code in a child Python under a time limit', () => {
  it('passes a correct program and fails a wrong one with the assertion in the tail', async () => {
    await expect(runPythonTests(ADD, CHECK, 'add')).resolves.toEqual({ passed: true, timedOut: false, stderrTail: '' });
    const wrong = await runPythonTests('def add(a, b):\n    return a - b\n', CHECK, 'add');
    expect(wrong).toMatchObject({ passed: false, timedOut: false });
    expect(wrong.stderrTail).toMatch(/AssertionError/);
  });

  it('kills a program that runs past the limit and says it timed out', async () => {
    const t0 = performance.now();
    const run = await runPythonTests('def add(a, b):\n    while True: pass\n', CHECK, 'add', 1_000);
    expect(run).toMatchObject({ passed: false, timedOut: true });
    expect(performance.now() - t0).toBeLessThan(8_000);
  });

  it('a program Python cannot be given (a NUL byte) fails the check instead of throwing', async () => {
    const run = await runPythonTests(`${ADD}# \0\n`, CHECK, 'add');
    expect(run).toMatchObject({ passed: false, timedOut: false });
    expect(run.stderrTail).toMatch(/null bytes/);
  });

  it('runs with a bare environment', async () => {
    process.env.STUDIO_SECRET_FOR_TEST = 'x';
    try {
      const probe =
        "import os\ndef add(a, b):\n    assert 'STUDIO_SECRET_FOR_TEST' not in os.environ\n    return a + b\n";
      await expect(runPythonTests(probe, CHECK, 'add')).resolves.toMatchObject({ passed: true });
    } finally {
      delete process.env.STUDIO_SECRET_FOR_TEST;
    }
  });

  // Before the shared worker lifecycle this waited for the grandchild (60 s): 'close' never came
  // while it held stderr open.
  it('returns when the program is done even if it left a background process holding stderr', async () => {
    const t0 = performance.now();
    const forks = 'import subprocess\nsubprocess.Popen(["sleep", "60"])\n' + ADD;
    await expect(runPythonTests(forks, CHECK, 'add')).resolves.toMatchObject({ passed: true });
    expect(performance.now() - t0).toBeLessThan(15_000);
  }, 30_000);
});

describe('pythonAsts and sameProgram (the pyast child)', () => {
  it('answers every program, in order, and compares docstring-free trees', async () => {
    const asts = await pythonAsts([ADD, 'def (:', `${ADD}\n# a comment\n`]);
    expect(asts.map((a) => a.ok)).toEqual([true, false, true]);
    expect(asts[1]).toMatchObject({ ok: false, line: 1 });
    await expect(sameProgram(ADD, `def add(a, b):\n    "adds"\n    return a + b\n`, 'python')).resolves.toEqual({
      same: true,
      method: 'python-ast',
    });
  });

  it('a child that is not the pyast worker is a WorkerCrashedError naming its bad line, not a hang or a ZodError', async () => {
    // A stand-in "python" that ignores its script and answers with a reply missing its dump.
    const dir = mkdtempSync(join(tmpdir(), 'studio-pyast-'));
    try {
      const fake = join(dir, 'python');
      writeFileSync(fake, `#!/bin/sh\necho '{"id": 0, "ok": true}'\nexec sleep 30\n`);
      chmodSync(fake, 0o755);
      const error = await pythonAsts([ADD], fake).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as Error).message).toMatch(/stdout line 1 does not match the protocol/);
      expect((error as Error).message).toMatch(/failed \(stdout line 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a child that exits non-zero is a WorkerCrashedError carrying its stderr', async () => {
    const error = await pythonAsts([ADD], process.execPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/failed \(exit code 1\)/);
    expect((error as WorkerCrashedError).stderrTail).toMatch(/main\.py/);
  });
});
