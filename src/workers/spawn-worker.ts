import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createLineSplitter, type OutputLine } from './line-splitter.ts';
import { createOutputTail } from './output-tail.ts';

/** Why the parent stopped a child; `message` is what error messages say. */
export interface StopReason {
  kind: 'timeout' | 'silent' | 'aborted' | 'protocol' | 'requested';
  message: string;
}

export interface WorkerOptions {
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Set over the parent's environment, or the whole environment when `inheritEnv` is false. */
  env?: Readonly<Record<string, string | undefined>>;
  inheritEnv?: boolean;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string;
  /** Stdout as it comes, in chunks. */
  onStdout?: (chunk: string) => void;
  /** Stdout cut into lines (see `maxLineChars`). */
  onLine?: (line: OutputLine) => void;
  /** Longest line kept whole; a longer one arrives cut and marked. Default 4 MiB characters. */
  maxLineChars?: number;
  /** Wall-clock limit, from spawn. */
  timeoutMs?: number;
  /** Silence limit: stopped when neither stdout nor stderr has written anything for this long. */
  heartbeatMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping; 0 sends SIGKILL at once. Default 5 s. */
  graceMs?: number;
  signal?: AbortSignal;
  /** Characters of stderr kept for error messages. Default 32,000. */
  stderrChars?: number;
}

export interface WorkerExit {
  /** False when the signal was aborted before the spawn or the command could not be started. */
  spawned: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the parent stopped it (the first reason wins). */
  stopped?: StopReason;
  /** The end of stderr, raw (`stderrTail` cleans it for messages). */
  stderr: string;
  /** Why the command could not be started (ENOENT, EACCES). */
  spawnError?: Error;
}

export interface Worker {
  /** Settles once, never rejects: the exit says what happened and the caller decides what failed. */
  done: Promise<WorkerExit>;
  /** SIGTERM, then SIGKILL after the grace period. Does nothing once the child has exited. */
  stop(reason?: StopReason): void;
}

const DEFAULT_GRACE_MS = 5_000;
/** After the child exits, how long a grandchild that inherited its stdout may keep it open. */
const STDIO_DRAIN_MS = 2_000;

/**
 * One child process under supervision: spawned with the given argv, env and cwd; stdout handed
 * over as chunks and/or bounded lines; stderr's tail kept; stopped (SIGTERM, then SIGKILL after a
 * grace period) on a wall-clock timeout, on silence longer than the heartbeat, on the abort
 * signal, or when the caller asks. Every way it can end resolves `done` with the exit code or
 * signal and the reason it was stopped, so the callers (trainers, converters, the pyast and
 * code-check children) share one set of rules for what "stopped" and "failed" mean.
 */
export function spawnWorker(options: WorkerOptions): Worker {
  const stderr = createOutputTail(options.stderrChars ?? 32_000);
  let settle: (exit: WorkerExit) => void = () => undefined;
  const done = new Promise<WorkerExit>((resolve) => {
    settle = resolve;
  });
  const timers = new Set<NodeJS.Timeout>();
  let stopped: StopReason | undefined;
  let exited = false;
  let settled = false;
  const finish = (exit: Omit<WorkerExit, 'stderr' | 'stopped'>) => {
    if (settled) return;
    settled = true;
    for (const t of timers) clearTimeout(t);
    options.signal?.removeEventListener('abort', onAbort);
    settle({ ...exit, stderr: stderr.text(), ...(stopped ? { stopped } : {}) });
  };
  const abortReason = (): StopReason => ({ kind: 'aborted', message: 'aborted' });
  const onAbort = () => worker.stop(abortReason());

  if (options.signal?.aborted) {
    stopped = abortReason();
    finish({ spawned: false, code: null, signal: null });
    return { done, stop: () => undefined };
  }

  const env = options.inheritEnv === false ? { ...options.env } : { ...process.env, ...options.env };
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...(options.args ?? [])], {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
  } catch (error) {
    // Refused before any process exists (a NUL byte in an argument): the same as not found.
    finish({ spawned: false, code: null, signal: null, spawnError: error as Error });
    return { done, stop: () => undefined };
  }

  let killTimer: NodeJS.Timeout | undefined;
  const worker: Worker = {
    done,
    stop(reason = { kind: 'requested', message: 'stopped' }) {
      if (exited || settled) return;
      if (stopped && killTimer) return; // already stopping: the first reason and deadline stand
      stopped ??= reason;
      const grace = options.graceMs ?? DEFAULT_GRACE_MS;
      if (grace <= 0) {
        child.kill('SIGKILL');
        return;
      }
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), grace);
      timers.add(killTimer);
    },
  };

  let heartbeat: NodeJS.Timeout | undefined;
  const beat = () => {
    if (!options.heartbeatMs || stopped) return;
    if (heartbeat) {
      heartbeat.refresh();
      return;
    }
    const seconds = formatSeconds(options.heartbeatMs);
    heartbeat = setTimeout(
      () => worker.stop({ kind: 'silent', message: `no output for ${seconds}` }),
      options.heartbeatMs,
    );
    timers.add(heartbeat);
  };
  beat();
  if (options.timeoutMs) {
    const seconds = formatSeconds(options.timeoutMs);
    timers.add(
      setTimeout(() => worker.stop({ kind: 'timeout', message: `timed out after ${seconds}` }), options.timeoutMs),
    );
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const lines = options.onLine
    ? createLineSplitter(options.maxLineChars ?? 4 * 1024 * 1024, options.onLine)
    : undefined;
  // Both are pipes (stdio above), so never null.
  const stdout = child.stdout as Readable;
  const stderrStream = child.stderr as Readable;
  stdout.setEncoding('utf8').on('data', (chunk: string) => {
    beat();
    options.onStdout?.(chunk);
    lines?.push(chunk);
  });
  stderrStream.setEncoding('utf8').on('data', (chunk: string) => {
    beat();
    stderr.push(chunk);
  });
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // a child that exits before reading all of it: EPIPE
    child.stdin.end(options.input);
  }

  child.on('error', (error) => {
    // Not started at all (no pid): there will be no exit to wait for.
    if (child.pid === undefined) finish({ spawned: false, code: null, signal: null, spawnError: error });
  });
  child.on('exit', () => {
    exited = true;
    // A grandchild holding our stdout open would keep 'close' from ever coming.
    const drain = setTimeout(() => {
      stdout.destroy();
      stderrStream.destroy();
    }, STDIO_DRAIN_MS);
    timers.add(drain);
  });
  // 'close' comes after stdout has ended: every line has been delivered.
  child.on('close', (code, signal) => {
    exited = true;
    lines?.end();
    finish({ spawned: true, code, signal });
  });
  return worker;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
