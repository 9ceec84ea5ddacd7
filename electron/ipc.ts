import type { ApiContext } from '../src/api.ts';
import { dispatch } from '../src/api.ts';
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
  const unsubscribe = ctx.bus.subscribe((event) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event);
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    unsubscribe();
  };
}
