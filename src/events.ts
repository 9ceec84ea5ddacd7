import type { RunProgressEvent, StudioEvent } from './contracts/events.ts';

/** The events themselves are wire types: their schemas live in src/contracts/events.ts. */
export type { StudioEvent };

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
export function throttleProgress(bus: EventBus, ms = 50): (event: RunProgressEvent) => void {
  const last = new Map<number, number>();
  return (event) => {
    const now = Date.now();
    if (event.done < event.total && now - (last.get(event.runId) ?? 0) < ms) return;
    last.set(event.runId, now);
    bus.emit(event);
  };
}
