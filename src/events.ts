/**
 * Events the domain emits for the UI and the CLI. The same names travel over IPC and SSE:
 * `<noun>-<action>`, discriminated on `type`.
 */
export type StudioEvent =
  | { type: 'run-progress'; runId: number; kind: string; done: number; total: number; label?: string }
  | { type: 'run-finished'; runId: number; kind: string; status: 'succeeded' | 'failed' | 'cancelled'; error?: string }
  | { type: 'store-changed'; reason: string };

export type Listener = (event: StudioEvent) => void;

export interface EventBus {
  emit(event: StudioEvent): void;
  subscribe(listener: Listener): () => void;
}

export function createEventBus(): EventBus {
  const listeners = new Set<Listener>();
  return {
    emit(event) {
      for (const l of listeners) {
        try {
          l(event);
        } catch {
          // one broken subscriber must not stop the others
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Progress at most every `ms` per run (token-level updates would flood IPC), and always the last.
 */
export function throttleProgress(
  bus: EventBus,
  ms = 50,
): (event: Extract<StudioEvent, { type: 'run-progress' }>) => void {
  const last = new Map<number, number>();
  return (event) => {
    const now = Date.now();
    if (event.done < event.total && now - (last.get(event.runId) ?? 0) < ms) return;
    last.set(event.runId, now);
    bus.emit(event);
  };
}
