import type { ApiArgs, ApiName, ApiResult } from '../../src/contracts/api/index.ts';
import { BridgeError, type StudioBridge } from '../../src/contracts/bridge.ts';
import type { StudioEvent } from '../../src/contracts/events.ts';

const TOKEN_KEY = 'studio-token';

/** The token arrives once in the URL (?token=...), is kept for the tab, and leaves the address bar. */
function takeToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function createHttpBridge(base = ''): StudioBridge {
  const token = takeToken();
  const listeners = new Set<(e: StudioEvent) => void>();
  let source: EventSource | undefined;

  const connect = () => {
    if (source || !listeners.size) return;
    source = new EventSource(`${base}/events?token=${encodeURIComponent(token)}`);
    source.addEventListener('studio', (e) => {
      const event = JSON.parse((e as MessageEvent<string>).data) as StudioEvent;
      for (const l of listeners) l(event);
    });
    // EventSource reconnects by itself; after a reconnect the page may have missed writes.
    source.addEventListener('ready', () => {
      for (const l of listeners) l({ type: 'store-changed', reason: 'reconnected' });
    });
  };

  return {
    kind: 'http',
    async invoke<N extends ApiName>(name: N, args: ApiArgs<N>): Promise<ApiResult<N>> {
      const res = await fetch(`${base}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(args ?? {}),
      });
      let body: { result?: unknown; error?: { name: string; message: string; retryable: boolean } };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new BridgeError(
          `the server answered ${res.status} without JSON`,
          'BridgeError',
          res.status >= 500,
          res.status,
        );
      }
      if (!res.ok || body.error) {
        const e = body.error ?? { name: 'BridgeError', message: `HTTP ${res.status}`, retryable: false };
        throw new BridgeError(e.message, e.name, e.retryable, res.status);
      }
      return body.result as ApiResult<N>;
    },
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (!listeners.size) {
          source?.close();
          source = undefined;
        }
      };
    },
    async filePaths(files) {
      const batch = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      const dirs = new Set<string>();
      const paths: string[] = [];
      for (const file of files) {
        const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
        const res = await fetch(`${base}/upload?batch=${batch}&path=${encodeURIComponent(rel)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: file,
        });
        const body = (await res.json()) as { result?: { dir: string; path: string }; error?: { message: string } };
        if (!res.ok || !body.result)
          throw new BridgeError(
            body.error?.message ?? `upload failed (${res.status})`,
            'UploadError',
            false,
            res.status,
          );
        // A folder upload imports as a folder (so its .gitignore applies); single files as files.
        const top = rel.includes('/') ? `${body.result.dir}/${rel.split('/')[0]}` : body.result.path;
        if (rel.includes('/')) dirs.add(top);
        else paths.push(top);
      }
      return [...paths, ...dirs];
    },
  };
}
