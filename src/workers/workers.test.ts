import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkerCrashedError } from '../errors/index.ts';
import { type BadLine, spawnJsonWorker } from './json-worker.ts';
import { runChild } from './run-child.ts';
import { spawnWorker } from './spawn-worker.ts';
import { ensureVenv } from './venv.ts';

// Real children: small node scripts written to a temp folder, run with this node.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-workers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** Writes `code` to a script file and returns the argv that runs it. */
const script = (code: string) => {
  const file = join(dir, `child-${++count}.mjs`);
  writeFileSync(file, code);
  return { command: process.execPath, args: [file] };
};

const Message = z.object({ type: z.literal('tick'), n: z.number() });
type Message = z.infer<typeof Message>;

describe('spawnJsonWorker: JSON lines checked by the caller’s schema', () => {
  it('delivers good lines in order with their numbers, and reports a clean exit', async () => {
    const got: [Message, number][] = [];
    const worker = spawnJsonWorker({
      ...script(`for (let n = 1; n <= 3; n++) console.log(JSON.stringify({ type: 'tick', n })); console.log('');`),
      schema: Message,
      onMessage: (m, line) => got.push([m, line]),
    });
    const exit = await worker.done;
    expect(got).toEqual([
      [{ type: 'tick', n: 1 }, 1],
      [{ type: 'tick', n: 2 }, 2],
      [{ type: 'tick', n: 3 }, 3],
    ]);
    expect(exit).toMatchObject({ spawned: true, code: 0, signal: null });
    expect(exit.stopped).toBeUndefined();
    expect(exit.badLine).toBeUndefined();
  });

  it('a bad line is an event naming its number and quoting it, and stops the child', async () => {
    const bad: BadLine[] = [];
    const got: Message[] = [];
    const worker = spawnJsonWorker({
      ...script(`
        console.log(JSON.stringify({ type: 'tick', n: 1 }));
        console.log('Loading pretrained model');
        setInterval(() => console.log(JSON.stringify({ type: 'tick', n: 9 })), 50);`),
      schema: Message,
      onMessage: (m) => got.push(m),
      onBadLine: (b) => bad.push(b),
    });
    const exit = await worker.done;
    expect(got).toEqual([{ type: 'tick', n: 1 }]);
    expect(bad).toEqual([{ line: 2, excerpt: 'Loading pretrained model', reason: 'is not JSON' }]);
    expect(exit.badLine).toEqual(bad[0]);
    expect(exit.stopped).toEqual({ kind: 'protocol', message: 'stdout line 2 is not JSON: Loading pretrained model' });
    expect(exit.signal).toBe('SIGTERM');
  });

  it('JSON that fails the schema says where; with badLines "skip" the child runs on', async () => {
    const bad: BadLine[] = [];
    const got: Message[] = [];
    const exit = await spawnJsonWorker({
      ...script(`
        console.log(JSON.stringify({ type: 'tick', n: 'one' }));
        console.log(JSON.stringify({ type: 'tick', n: 2 }));`),
      schema: Message,
      badLines: 'skip',
      onMessage: (m) => got.push(m),
      onBadLine: (b) => bad.push(b),
    }).done;
    expect(bad).toHaveLength(1);
    expect(bad[0]?.line).toBe(1);
    expect(bad[0]?.reason).toMatch(/does not match the protocol at "n"/);
    expect(got).toEqual([{ type: 'tick', n: 2 }]);
    expect(exit).toMatchObject({ code: 0 });
    expect(exit.stopped).toBeUndefined();
  });

  it('a huge line costs at most maxLineChars and is reported with its length; the next line still parses', async () => {
    const bad: BadLine[] = [];
    const got: Message[] = [];
    const size = 8 * 1024 * 1024;
    const exit = await spawnJsonWorker({
      ...script(`
        const chunk = 'x'.repeat(64 * 1024);
        for (let i = 0; i < ${size / (64 * 1024)}; i++) process.stdout.write(chunk);
        process.stdout.write('\\n' + JSON.stringify({ type: 'tick', n: 2 }) + '\\n');`),
      schema: Message,
      maxLineChars: 1000,
      badLines: 'skip',
      onMessage: (m) => got.push(m),
      onBadLine: (b) => bad.push(b),
    }).done;
    expect(bad).toEqual([
      { line: 1, excerpt: 'x'.repeat(200), reason: `is ${size} characters long, over the 1000 a line may have` },
    ]);
    expect(got).toEqual([{ type: 'tick', n: 2 }]);
    expect(exit.code).toBe(0);
  });

  it('a last line without a newline is still read', async () => {
    const got: Message[] = [];
    await spawnJsonWorker({
      ...script(`process.stdout.write(JSON.stringify({ type: 'tick', n: 7 }))`),
      schema: Message,
      onMessage: (m) => got.push(m),
    }).done;
    expect(got).toEqual([{ type: 'tick', n: 7 }]);
  });
});

describe('spawnWorker: stopping', () => {
  it('a silent child is stopped when the heartbeat runs out', async () => {
    const t0 = performance.now();
    const exit = await spawnWorker({ ...script('setInterval(() => {}, 1000);'), heartbeatMs: 400 }).done;
    expect(exit.stopped).toEqual({ kind: 'silent', message: 'no output for 400 ms' });
    expect(exit.signal).toBe('SIGTERM');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
  });

  it('output on stdout or stderr keeps the heartbeat alive', async () => {
    // Runs 4.5 s against a 3 s heartbeat (room for a slow start on a loaded machine).
    const exit = await spawnWorker({
      ...script(`
        let n = 0;
        const t = setInterval(() => {
          (n % 2 ? process.stdout : process.stderr).write('.');
          if (++n === 15) clearInterval(t);
        }, 300);`),
      heartbeatMs: 3_000,
    }).done;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stopped).toBeUndefined();
  });

  it('a chatty child still meets the wall-clock timeout', async () => {
    const exit = await spawnWorker({
      ...script(`setInterval(() => console.log('busy'), 50);`),
      heartbeatMs: 5_000,
      timeoutMs: 500,
    }).done;
    expect(exit.stopped).toEqual({ kind: 'timeout', message: 'timed out after 500 ms' });
  });

  it('a child that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    let ready: () => void = () => undefined;
    const started = new Promise<void>((r) => {
      ready = r;
    });
    const worker = spawnWorker({
      ...script(
        `process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); setInterval(() => {}, 1000);`,
      ),
      graceMs: 500,
      onLine: (l) => {
        if (l.text === 'ready') ready();
      },
    });
    await started;
    const t0 = performance.now();
    worker.stop();
    const exit = await worker.done;
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.stopped).toEqual({ kind: 'requested', message: 'stopped' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(480);
  });

  it('a child that handles SIGTERM finishes its work within the grace period and keeps its exit code', async () => {
    const lines: string[] = [];
    const worker = spawnWorker({
      ...script(`
        process.on('SIGTERM', () => { console.log('saved'); process.exit(0); });
        console.log('ready'); setInterval(() => {}, 1000);`),
      graceMs: 10_000,
      onLine: (l) => {
        lines.push(l.text);
        if (l.text === 'ready') worker.stop();
      },
    });
    const exit = await worker.done;
    expect(lines).toEqual(['ready', 'saved']);
    expect(exit).toMatchObject({ code: 0, signal: null, stopped: { kind: 'requested' } });
  });

  it('cancel mid-run through an AbortSignal', async () => {
    const controller = new AbortController();
    const ticks: Message[] = [];
    const exit = await spawnJsonWorker({
      ...script(`let n = 0; setInterval(() => console.log(JSON.stringify({ type: 'tick', n: ++n })), 30);`),
      schema: Message,
      signal: controller.signal,
      onMessage: (m) => {
        ticks.push(m);
        if (m.n === 3) controller.abort();
      },
    }).done;
    expect(exit.stopped).toEqual({ kind: 'aborted', message: 'aborted' });
    expect(exit.signal).toBe('SIGTERM');
    expect(ticks.slice(0, 3).map((t) => t.n)).toEqual([1, 2, 3]);
  });

  it('an already aborted signal spawns nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const marker = join(dir, 'must-not-exist');
    const exit = await spawnWorker({
      ...script(`require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`),
      signal: controller.signal,
    }).done;
    expect(exit).toMatchObject({ spawned: false, stopped: { kind: 'aborted' } });
    await expect(import('node:fs').then((fs) => fs.existsSync(marker))).resolves.toBe(false);
  });

  it('a grandchild holding stdout open does not keep done from settling', async () => {
    const t0 = performance.now();
    const exit = await spawnWorker({
      ...script(`
        import { spawn } from 'node:child_process';
        spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'inherit', detached: true }).unref();
        console.log('parent done');`),
      onLine: () => undefined,
    }).done;
    expect(exit.code).toBe(0);
    expect(performance.now() - t0).toBeLessThan(15_000);
  });
});

describe('spawnWorker: argv, env, cwd, stdin, stderr', () => {
  it('passes argv, cwd, a bare environment and stdin', async () => {
    const lines: string[] = [];
    const exit = await spawnWorker({
      ...script(`
        let input = '';
        process.stdin.on('data', (d) => { input += d; });
        process.stdin.on('end', () => console.log(JSON.stringify({
          argv: process.argv.slice(2), cwd: process.cwd(), env: Object.keys(process.env).sort(), input })));`),
      args: [join(dir, `child-${count}.mjs`), 'a b', '--x'],
      cwd: dir,
      env: { ONLY: '1', PATH: process.env.PATH },
      inheritEnv: false,
      input: 'hello\nworld\n',
      onLine: (l) => lines.push(l.text),
    }).done;
    expect(exit.code).toBe(0);
    const seen = JSON.parse(lines[0] ?? '{}') as { argv: string[]; cwd: string; env: string[]; input: string };
    expect(seen.argv).toEqual(['a b', '--x']);
    expect(realpathSync(seen.cwd)).toBe(realpathSync(dir));
    expect(seen.env).toEqual(['ONLY', 'PATH']);
    expect(seen.input).toBe('hello\nworld\n');
  });

  it('runChild: a failure carries the exit code and the tail of a long stderr, bounded', async () => {
    const worker = spawnWorker({
      ...script(
        `process.stderr.write('progress\\r'.repeat(50000)); console.error('RuntimeError: out of memory'); process.exitCode = 3;`,
      ),
      stderrChars: 4000,
    });
    const exit = await worker.done;
    expect(exit.code).toBe(3);
    expect(exit.stderr.length).toBeLessThanOrEqual(4000);
    expect(exit.stderr).toMatch(/RuntimeError: out of memory\n$/);
    const error = await runChild(process.execPath, [join(dir, `child-${count}.mjs`)], {
      what: 'testing',
      stderrChars: 4000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toBe('testing failed (exit code 3):\nRuntimeError: out of memory');
    expect((error as WorkerCrashedError).stderrTail).toBe('RuntimeError: out of memory');
  });

  it('runChild: a command that does not exist says it cannot run it', async () => {
    const error = await runChild(join(dir, 'no-such-program'), [], { what: 'testing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/^testing: cannot run .*no-such-program: spawn .* ENOENT/);
  });

  it('an argument spawn refuses (a NUL byte) is a spawn error, not a throw', async () => {
    const exit = await spawnWorker({ command: process.execPath, args: ['-e', '1\0'] }).done;
    expect(exit.spawned).toBe(false);
    expect(exit.spawnError?.message).toMatch(/null bytes/);
  });

  it('runChild: a timeout says so', async () => {
    const error = await runChild(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      what: 'waiting',
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('waiting failed (timed out after 300 ms)');
  });

  it('runChild: resolves on exit 0 and hands over stdout', async () => {
    let out = '';
    await runChild(process.execPath, ['-e', 'console.log(6 * 7)'], {
      what: 'computing',
      onStdout: (t) => {
        out += t;
      },
    });
    expect(out.trim()).toBe('42');
  });
});

describe('ensureVenv: one build for every caller', () => {
  it('goes on for a caller without a signal when another cancels (review)', async () => {
    // Review: the Models page's cancelled MiniLM pull aborted the venv build a classifier training
    // run (no signal) was waiting on, and the training failed.
    const root = mkdtempSync(join(tmpdir(), 'studio-venv-'));
    try {
      const requirements = join(root, 'requirements.txt');
      writeFileSync(requirements, '');
      const spec = { dir: join(root, 'venv'), requirements, what: 'a test venv' };
      const cancel = new AbortController();
      const pull = ensureVenv({ ...spec, signal: cancel.signal });
      const training = ensureVenv(spec);
      setTimeout(() => cancel.abort(new Error('cancelled')), 200);
      await expect(pull).rejects.toThrow('cancelled');
      await expect(training).resolves.toBe(join(root, 'venv', 'bin', 'python'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
