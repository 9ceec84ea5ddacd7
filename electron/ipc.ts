import { z } from 'zod';
import { importRootsOf } from '../src/api/context.ts';
import { type ApiContext, dispatch } from '../src/api/index.ts';
import { toWireError } from '../src/errors/index.ts';

/** The parts of Electron the binding uses: the real ipcMain and webContents, or fakes in tests. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { sender: unknown }, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export const INVOKE_CHANNEL = 'studio:invoke';
export const EVENT_CHANNEL = 'studio:event';
/** The paths of files the user picked or dropped: they become importable (src/bridge/allowed-roots.ts). */
export const ALLOW_PATHS_CHANNEL = 'studio:allow-paths';

const PickedPaths = z.array(z.string().min(1).max(4096)).max(10_000);

/**
 * Binds the API to IPC for one window. Every call is checked: it must come from that window's
 * webContents, name an API function, and pass the function's argument schema. Errors travel as
 * `{error: {name, message, retryable}}`, never as thrown objects with stacks.
 */
export function registerApi(ipcMain: IpcMainLike, contents: WebContentsLike, ctx: ApiContext): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, name, args) => {
    if (event.sender !== contents)
      return { error: { name: 'SecurityError', message: 'unknown sender', retryable: false } };
    if (typeof name !== 'string')
      return { error: { name: 'InputError', message: 'the API name must be a string', retryable: false } };
    try {
      return { result: (await dispatch(ctx, name, args)) ?? null };
    } catch (error) {
      return { error: toWireError(error) };
    }
  });
  // The preload sends the paths webUtils found for File objects the user picked: a page cannot
  // make up such a File for a path it chose, so only what the user picked becomes importable.
  ipcMain.handle(ALLOW_PATHS_CHANNEL, (event, paths) => {
    if (event.sender !== contents)
      return { error: { name: 'SecurityError', message: 'unknown sender', retryable: false } };
    const parsed = PickedPaths.safeParse(paths);
    if (!parsed.success)
      return { error: { name: 'InputError', message: 'paths must be a list of strings', retryable: false } };
    const roots = importRootsOf(ctx);
    for (const p of parsed.data) roots.add(p);
    return { result: { allowed: parsed.data.length } };
  });
  const unsubscribe = ctx.bus.subscribe((event) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    ipcMain.removeHandler(ALLOW_PATHS_CHANNEL);
    unsubscribe();
  };
}
