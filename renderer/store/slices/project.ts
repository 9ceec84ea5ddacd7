import type { StateCreator } from 'zustand';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import type { StudioEvent } from '../../../src/contracts/events.ts';
import { bridge } from '../../bridge/index.ts';
import type { StudioState } from '../index.ts';

export type Run = ApiResult<'runs-list'>[number];

export interface LiveProgress {
  done: number;
  total: number;
  label?: string;
}

export interface ProjectSlice {
  info: ApiResult<'project-info'> | null;
  runs: Run[];
  live: Record<number, LiveProgress>;
  /** Bumped whenever the store changed (here or in another process): views refetch on it. */
  version: number;
  loadProject(): Promise<void>;
  loadRuns(): Promise<void>;
  /** The one action that applies main-process events to the mirror. */
  applyEvent(event: StudioEvent): void;
}

export const createProjectSlice: StateCreator<StudioState, [], [], ProjectSlice> = (set, get) => ({
  info: null,
  runs: [],
  live: {},
  version: 0,
  async loadProject() {
    set({ info: await bridge.invoke('project-info', {}) });
  },
  async loadRuns() {
    // Runs are the owner's business: a labeler's token may not list them.
    if (get().role === 'labeler') return;
    set({ runs: await bridge.invoke('runs-list', { limit: 100 }) });
  },
  applyEvent(event) {
    switch (event.type) {
      case 'run-progress':
        set((s) => ({
          live: {
            ...s.live,
            [event.runId]: { done: event.done, total: event.total, ...(event.label ? { label: event.label } : {}) },
          },
        }));
        if (!get().runs.some((r) => r.id === event.runId)) void get().loadRuns();
        break;
      case 'run-finished':
        set((s) => {
          const { [event.runId]: _gone, ...live } = s.live;
          return { live, version: s.version + 1 };
        });
        void get().loadRuns();
        void get().loadProject();
        if (event.status === 'failed')
          get().toast('error', `Run ${event.runId} failed: ${event.error ?? 'unknown error'}`);
        break;
      case 'store-changed':
        set((s) => ({ version: s.version + 1 }));
        // A label changes no source, pair or run: reloading the project's counts (a scan of every
        // source) after each key would hold the server while the labeler waits for the next pair.
        if (event.reason === 'labels') break;
        void get().loadRuns();
        void get().loadProject();
        break;
    }
  },
});
