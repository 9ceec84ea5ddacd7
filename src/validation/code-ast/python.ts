import { join } from 'node:path';
import { z } from 'zod';
import { appRoot } from '../../app-root.ts';
import { WorkerCrashedError } from '../../errors/index.ts';
import { spawnJsonWorker } from '../../workers/json-worker.ts';
import { exitedCleanly, workerFailure } from '../../workers/run-child.ts';

const script = () => join(appRoot(), 'native', 'pyast', 'main.py');

const ReplySchema = z.union([
  z.object({ id: z.number(), ok: z.literal(true), dump: z.string() }),
  z.object({ id: z.number(), ok: z.literal(false), error: z.string(), line: z.number().nullable() }),
]);
export type PythonAst = z.infer<typeof ReplySchema>;

/** A batch that prints nothing for this long is stuck (a parse takes milliseconds). */
const SILENCE_MS = 60_000;

/**
 * Python's own `ast` module, in one child process for a batch of programs: the reference parser
 * for "is this still the same program". Docstrings are dropped from both sides.
 */
export async function pythonAsts(
  programs: readonly string[],
  python = process.env.STUDIO_PYTHON ?? 'python3',
): Promise<PythonAst[]> {
  const SCRIPT = script();
  const replies: PythonAst[] = [];
  const exit = await spawnJsonWorker({
    command: python,
    args: [SCRIPT],
    input: programs.map((code, id) => `${JSON.stringify({ id, code })}\n`).join(''),
    schema: ReplySchema,
    onMessage: (reply) => replies.push(reply),
    heartbeatMs: SILENCE_MS,
    maxLineChars: 64 * 1024 * 1024, // a dump is ~10x its program: room for very large files
  }).done;
  // A bad line's stop reason names it: "failed (stdout line 3 is not JSON: ...)".
  if (!exitedCleanly(exit)) throw workerFailure(`${python} ${SCRIPT}`, python, exit);
  if (replies.length !== programs.length)
    throw new WorkerCrashedError(`${python} ${SCRIPT} answered ${replies.length} of ${programs.length} programs`);
  return replies.sort((a, b) => a.id - b.id);
}
