import type { StateCreator } from 'zustand';
import type { StudioState } from '../index.ts';

export type Theme = 'light' | 'dark';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface UiSlice {
  theme: Theme;
  helpOpen: boolean;
  labeler: string;
  toasts: Toast[];
  setTheme(theme: Theme): void;
  toggleHelp(open?: boolean): void;
  setLabeler(name: string): void;
  toast(kind: Toast['kind'], text: string): void;
  dismiss(id: number): void;
}

const initialTheme = (): Theme => {
  const saved = localStorage.getItem('studio-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
};

/** ?labeler=name in a shared link sets the name once; after that it is remembered. */
const initialLabeler = (): string => {
  const fromUrl = new URLSearchParams(window.location.search).get('labeler');
  if (fromUrl) localStorage.setItem('studio-labeler', fromUrl);
  return fromUrl ?? localStorage.getItem('studio-labeler') ?? '';
};

let toastId = 0;

export const createUiSlice: StateCreator<StudioState, [], [], UiSlice> = (set, get) => ({
  theme: initialTheme(),
  helpOpen: false,
  labeler: initialLabeler(),
  toasts: [],
  setTheme: (theme) => {
    localStorage.setItem('studio-theme', theme);
    set({ theme });
  },
  toggleHelp: (open) => set((s) => ({ helpOpen: open ?? !s.helpOpen })),
  setLabeler: (name) => {
    // A labeler's invite carries their name: it cannot be changed here (the server would ignore it).
    if (get().role === 'labeler') return;
    localStorage.setItem('studio-labeler', name);
    set({ labeler: name });
  },
  toast: (kind, text) => {
    const id = ++toastId;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, text }] }));
    setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), kind === 'error' ? 8000 : 3500);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
});
