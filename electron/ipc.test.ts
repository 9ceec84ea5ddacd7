import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { createAppContext } from '../src/app-context.ts';
import type { Project } from '../src/project.ts';
import { setUpTempApp } from '../src/store/testing/project-fixture.ts';
import {
  ALLOW_PATHS_CHANNEL,
  EVENT_CHANNEL,
  INVOKE_CHANNEL,
  type IpcMainLike,
  registerApi,
  type WebContentsLike,
} from './ipc.ts';

type Handler = (event: { sender: unknown }, ...args: unknown[]) => unknown;

/** ipcMain as Electron exposes it, minus Electron: handlers by channel. The API behind is real. */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  return { ipc, handlers };
}

function fakeContents() {
  const sent: unknown[][] = [];
  const contents: WebContentsLike = { send: (...args) => sent.push(args), isDestroyed: () => false };
  return { contents, sent };
}

let dir: string;
let project: Project;
let app: ReturnType<typeof createAppContext>;
setUpTempApp('studio-ipc-', (t) => ({ dir, project, app } = t));

describe('registerApi', () => {
  it('answers calls from its window with results and wire errors', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { contents } = fakeContents();
    registerApi(ipc, contents, app.ctx);
    const invoke = handlers.get(INVOKE_CHANNEL) as Handler;
    const ok = (await invoke({ sender: contents }, 'pairs-list', { limit: 5 })) as { result: { total: number } };
    expect(ok.result.total).toBe(0);
    const bad = await invoke({ sender: contents }, 'pairs-list', { limit: -1 });
    expect(bad).toEqual({
      error: { name: 'InputError', message: expect.stringMatching(/field "limit"/), retryable: false },
    });
    const unknown = await invoke({ sender: contents }, 'shell-exec', { cmd: 'rm -rf /' });
    expect(unknown).toMatchObject({ error: { message: 'unknown API function "shell-exec"' } });
  });

  it('refuses a call from any other webContents', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { contents } = fakeContents();
    registerApi(ipc, contents, app.ctx);
    const invoke = handlers.get(INVOKE_CHANNEL) as Handler;
    const reply = await invoke({ sender: { some: 'other frame' } }, 'project-info', {});
    expect(reply).toEqual({ error: { name: 'SecurityError', message: 'unknown sender', retryable: false } });
  });

  it('forwards domain events to the window and stops when unregistered', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { contents, sent } = fakeContents();
    const unregister = registerApi(ipc, contents, app.ctx);
    app.ctx.bus.emit({ type: 'store-changed', reason: 'test' });
    expect(sent).toEqual([[EVENT_CHANNEL, { type: 'store-changed', reason: 'test' }]]);
    unregister();
    app.ctx.bus.emit({ type: 'store-changed', reason: 'after' });
    expect(sent).toHaveLength(1);
    expect(handlers.has(INVOKE_CHANNEL)).toBe(false);
  });

  it('imports by path only from the project and what the user picked (issue 12, finding 1)', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const { contents } = fakeContents();
    registerApi(ipc, contents, app.ctx);
    const invoke = handlers.get(INVOKE_CHANNEL) as Handler;
    const allow = handlers.get(ALLOW_PATHS_CHANNEL) as Handler;
    const picked = mkdtempSync(join(tmpdir(), 'studio-ipc-picked-'));
    writeFileSync(join(picked, 'notes.txt'), 'A note the user picked.');
    try {
      const before = await invoke({ sender: contents }, 'sources-import', { paths: [join(picked, 'notes.txt')] });
      expect(before).toMatchObject({ error: { name: 'ForbiddenError' } });
      expect(await allow({ sender: { other: true } }, [picked])).toMatchObject({ error: { name: 'SecurityError' } });
      expect(await allow({ sender: contents }, [join(picked, 'notes.txt')])).toEqual({ result: { allowed: 1 } });
      const after = await invoke({ sender: contents }, 'sources-import', { paths: [join(picked, 'notes.txt')] });
      expect(after).toMatchObject({ result: { runId: expect.any(Number) } });
      const passwd = await invoke({ sender: contents }, 'sources-import', { paths: ['/etc/passwd'] });
      expect(passwd).toMatchObject({ error: { name: 'ForbiddenError' } });
      await app.ctx.jobs.idle();
    } finally {
      rmSync(picked, { recursive: true, force: true });
    }
  });
});
