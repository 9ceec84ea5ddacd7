import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../app-context.ts';
import { type RunningBridge, startBridge } from '../bridge/http-server.ts';
import { importPaths } from '../io/import.ts';
import { openProject, type Project } from '../project.ts';
import { nextPair } from '../review/queue.ts';
import { compileSearchPattern, listPairView } from './pair-view.ts';

// Issue 12, finding 3: `(a+)+$` over "a" x 28 + "!" took 72 s with a backtracking RegExp and the
// server answered nothing else meanwhile. Searches now run on a linear-time engine (RE2).
const EVIL = '(a+)+$';

let dir: string;
let project: Project;
let app: ReturnType<typeof createAppContext>;
let bridge: RunningBridge;
let base: string;
const auth = { authorization: 'Bearer regex-token', 'content-type': 'application/json' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-regex-'));
  project = openProject({ dir, create: true, env: {} });
  const file = join(dir, 'pairs.jsonl');
  writeFileSync(
    file,
    [
      { id: 'evil', original: `${'a'.repeat(28)}!`, compressed: `${'a'.repeat(28)}!` },
      // Words, not one run: the o200k count at import is slow on a single 200,000-character run.
      { id: 'long', original: `${'aaaa '.repeat(40_000)}aaaa!`, compressed: `${'aaaa '.repeat(20_000)}aaaa!` },
      { id: 'plain', original: 'Meet at 12 Elm Street on Monday.', compressed: 'Meet 12 Elm St Monday.' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  await importPaths(project.db, [file], { config: project.config.import });
  app = createAppContext(project);
  bridge = await startBridge({
    ctx: app.ctx,
    port: 0,
    staticDir: join(dir, 'static'),
    uploadDir: join(dir, 'uploads'),
    token: 'regex-token',
  });
  base = `http://127.0.0.1:${bridge.port}`;
});
afterAll(async () => {
  await bridge.close();
  await app.close();
  project.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (name: string, body: unknown) =>
  fetch(`${base}/api/${name}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });

describe('regex search cannot hang', () => {
  it('matches the pathological pattern in linear time, also over 200,000 characters', () => {
    const started = performance.now();
    const page = listPairView(project.db, { search: EVIL, regex: true });
    const ms = performance.now() - started;
    expect(page.total).toBe(0); // every text ends in "!", so nothing ends in a's
    expect(listPairView(project.db, { search: 'a+!', regex: true }).total).toBe(2);
    expect(ms).toBeLessThan(2000); // a backtracking engine needs minutes for the 28 a's alone
  });

  it('answers pairs-list, review-next and pairs-export over HTTP while another request is answered meanwhile', async () => {
    const started = performance.now();
    const slowOnes = Promise.all([
      post('pairs-list', { search: EVIL, regex: true }),
      post('review-next', { labeler: 'ana', query: { search: EVIL, regex: true } }),
      post('pairs-export', { query: { search: EVIL, regex: true }, format: 'jsonl' }),
    ]);
    const other = await post('pairs-list', { limit: 1 });
    const otherMs = performance.now() - started;
    expect(other.status).toBe(200);
    const answers = await slowOnes;
    const allMs = performance.now() - started;
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const [list, next] = answers as [Response, Response, Response];
    expect((await list.json()).result.total).toBe(0);
    expect((await next.json()).result.pairId).toBeNull();
    expect(otherMs).toBeLessThan(5000);
    expect(allMs).toBeLessThan(5000);
  });

  it('refuses what a linear-time engine cannot do with a 400 that names the problem', async () => {
    for (const pattern of ['(a)\\1', '(?=a)a', '(']) {
      const res = await post('pairs-list', { search: pattern, regex: true });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.name).toBe('InputError');
      expect(body.error.message).toMatch(/invalid regular expression/);
    }
    expect(() => compileSearchPattern('x'.repeat(1001))).toThrow(/longer than 1000/);
    expect(() => nextPair(project.db, 'ana', { search: '(a)\\1', regex: true })).toThrow(/RE2 syntax/);
  });
});
