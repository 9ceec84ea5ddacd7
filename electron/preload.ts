import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API_NAMES } from '../src/contracts/api-names.ts';
import { BridgeError, type StudioBridge } from '../src/contracts/bridge.ts';
import type { StudioEvent } from '../src/contracts/events.ts';

const names = new Set<string>(API_NAMES);

// Named operations only: the page never sees ipcRenderer or an IPC event object.
const bridge = {
  kind: 'electron',
  async invoke(name, args) {
    if (!names.has(name)) throw new BridgeError(`unknown API function "${name}"`, 'InputError', false);
    const reply = (await ipcRenderer.invoke('studio:invoke', name, args)) as
      | { result: unknown }
      | { error: { name: string; message: string; retryable: boolean } };
    if ('error' in reply) throw new BridgeError(reply.error.message, reply.error.name, reply.error.retryable);
    return reply.result as never;
  },
  subscribe(listener) {
    const handler = (_event: unknown, payload: StudioEvent) => listener(payload);
    ipcRenderer.on('studio:event', handler);
    return () => {
      ipcRenderer.off('studio:event', handler);
    };
  },
  async filePaths(files) {
    const paths = files.map((f) => webUtils.getPathForFile(f)).filter(Boolean);
    // What the user picked becomes importable by path; nothing else outside the project is.
    if (paths.length) await ipcRenderer.invoke('studio:allow-paths', paths);
    return paths;
  },
} satisfies StudioBridge;

contextBridge.exposeInMainWorld('studio', bridge);
