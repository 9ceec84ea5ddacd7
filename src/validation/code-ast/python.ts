import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { appRoot } from '../../app-root.ts';
import { WorkerCrashedError } from '../../errors/index.ts';

const script = () => join(appRoot(), 'native', 'pyast', 'main.py');

const ReplySchema = z.union([
  z.object({ id: z.number(), ok: z.literal(true), dump: z.string() }),
  z.object({ id: z.number(), ok: z.literal(false), error: z.string(), line: z.number().nullable() }),
]);
export type PythonAst = z.infer<typeof ReplySchema>;

/**
 * Python's own `ast` module, in one child process for a batch of programs: the reference parser
 * for "is this still the same program". Docstrings are dropped from both sides.
 */
export async function pythonAsts(
  programs: readonly string[],
  python = process.env.STUDIO_PYTHON ?? 'python3',
): Promise<PythonAst[]> {
  const SCRIPT = script();
  const child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  for (const [id, code] of programs.entries()) child.stdin.write(`${JSON.stringify({ id, code })}\n`);
  child.stdin.end();
  let code: number | null;
  try {
    code = await exited;
  } catch (error) {
    throw new WorkerCrashedError(`cannot run ${python}: ${(error as Error).message}`, stderr, { cause: error });
  }
  if (code !== 0) throw new WorkerCrashedError(`${python} ${SCRIPT} exited with ${code}`, stderr.slice(-2000));
  const replies = stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => ReplySchema.parse(JSON.parse(l)));
  return replies.sort((a, b) => a.id - b.id);
}
