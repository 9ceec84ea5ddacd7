import type { z } from 'zod';
import type { DownloadSchema } from '../contracts/api/models.ts';
import { NotFoundError } from '../errors/index.ts';

export type DownloadInfo = z.infer<typeof DownloadSchema>;

/** Model downloads started by one front end (app or `studio serve`): progress to poll, and cancel. */
export interface Downloads {
  /** Tracks `run` (given a signal and a progress callback); resolves at once with the download's id. */
  start(
    url: string,
    run: (signal: AbortSignal, onProgress: (done: number, total: number) => void) => Promise<unknown>,
    onDone?: () => void,
  ): string;
  cancel(id: string): void;
  list(): DownloadInfo[];
}

export function createDownloads(): Downloads {
  const all = new Map<string, Omit<DownloadInfo, 'id'> & { controller: AbortController }>();
  return {
    start(url, run, onDone) {
      const id = String(all.size + 1);
      const controller = new AbortController();
      const d: Omit<DownloadInfo, 'id'> & { controller: AbortController } = {
        url,
        done: 0,
        total: 0,
        status: 'running',
        controller,
      };
      all.set(id, d);
      run(controller.signal, (done, total) => {
        d.done = done;
        d.total = total;
      }).then(
        (result) => {
          // A run that ends with a line (a pull: where the model is now) shows it in place of its label.
          if (typeof result === 'string') d.url = result;
          d.status = 'done';
          onDone?.();
        },
        (error: unknown) => {
          d.status = controller.signal.aborted ? 'cancelled' : 'failed';
          d.error = error instanceof Error ? error.message : String(error);
        },
      );
      return id;
    },
    cancel(id) {
      const d = all.get(id);
      if (!d) throw new NotFoundError(`no download ${id}`);
      d.controller.abort();
    },
    list() {
      return [...all.entries()].map(([id, { controller: _c, ...d }]) => ({ id, ...d }));
    },
  };
}
