import type { z } from 'zod';
import type { OutputLine } from './line-splitter.ts';
import { spawnWorker, type Worker, type WorkerExit, type WorkerOptions } from './spawn-worker.ts';

/** A stdout line that is not one of the protocol's messages. */
export interface BadLine {
  /** 1-based number of the line on stdout. */
  line: number;
  /** Its start, at most 200 characters. */
  excerpt: string;
  /** Not JSON, too long, or the schema's first complaint. */
  reason: string;
}

export interface JsonWorkerOptions<T> extends Omit<WorkerOptions, 'onLine' | 'onStdout'> {
  /** Every non-blank stdout line must parse as JSON and pass this schema. */
  schema: z.ZodType<T>;
  onMessage: (message: T, line: number) => void;
  /** Called for each bad line (only the first one when `badLines` is 'stop'). */
  onBadLine?: (bad: BadLine) => void;
  /** 'stop' (default): the first bad line stops the child, a protocol error; 'skip': reported, then ignored. */
  badLines?: 'stop' | 'skip';
}

export interface JsonWorkerExit extends WorkerExit {
  /** The first bad line, if any. */
  badLine?: BadLine;
}

export interface JsonWorker extends Omit<Worker, 'done'> {
  done: Promise<JsonWorkerExit>;
}

/** "stdout line 3 is not JSON: Loading model..." */
export function describeBadLine(bad: BadLine): string {
  return `stdout line ${bad.line} ${bad.reason}: ${bad.excerpt}`;
}

/**
 * A worker speaking JSON lines on stdout, each checked by the caller's zod schema. A line that is
 * not valid never throws inside the stream handler: it becomes a BadLine naming its number and
 * quoting its start, and (by default) stops the child with a `protocol` stop reason.
 */
export function spawnJsonWorker<T>(options: JsonWorkerOptions<T>): JsonWorker {
  const { schema, onMessage, onBadLine, badLines = 'stop', ...rest } = options;
  const maxLineChars = rest.maxLineChars ?? 4 * 1024 * 1024;
  let firstBad: BadLine | undefined;
  const onLine = (line: OutputLine) => {
    if (firstBad && badLines === 'stop') return; // stopping: what follows is not read
    if (!line.text.trim() && !line.truncated) return;
    const checked = checkLine(schema, line, maxLineChars);
    if (checked.ok) {
      onMessage(checked.value, line.number);
      return;
    }
    firstBad ??= checked.bad;
    onBadLine?.(checked.bad);
    if (badLines === 'stop') worker.stop({ kind: 'protocol', message: describeBadLine(checked.bad) });
  };
  const worker = spawnWorker({ ...rest, maxLineChars, onLine });
  return {
    stop: worker.stop,
    done: worker.done.then((exit) => (firstBad ? { ...exit, badLine: firstBad } : exit)),
  };
}

function checkLine<T>(
  schema: z.ZodType<T>,
  line: OutputLine,
  maxLineChars: number,
): { ok: true; value: T } | { ok: false; bad: BadLine } {
  const bad = (reason: string) => ({
    ok: false as const,
    bad: { line: line.number, excerpt: line.text.slice(0, 200), reason },
  });
  if (line.truncated) return bad(`is ${line.length} characters long, over the ${maxLineChars} a line may have`);
  let json: unknown;
  try {
    json = JSON.parse(line.text);
  } catch {
    return bad('is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
  return bad(`does not match the protocol${where} (${issue?.message ?? 'invalid'})`);
}
