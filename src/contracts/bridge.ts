import type { ApiArgs, ApiName, ApiResult } from './api/index.ts';
import type { StudioEvent } from './events.ts';

export type { ApiArgs, ApiName, ApiResult, StudioEvent };

/**
 * What the renderer talks to. Electron's preload implements it over IPC, the browser over HTTP
 * and Server-Sent Events; the renderer cannot tell which.
 */
export interface StudioBridge {
  readonly kind: 'electron' | 'http';
  invoke<N extends ApiName>(name: N, args: ApiArgs<N>): Promise<ApiResult<N>>;
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: StudioEvent) => void): () => void;
  /** Makes picked or dropped files importable: their paths on the machine that runs the API. */
  filePaths(files: readonly File[]): Promise<string[]>;
}

/** A failed call, as both transports report it. */
export class BridgeError extends Error {
  override name = 'BridgeError';
  constructor(
    message: string,
    readonly errorName: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}
