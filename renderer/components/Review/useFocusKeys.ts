import { type RefObject, useEffect, useRef } from 'react';
import { keysBlocked } from './keys.ts';
import type { Decision, Mode, View } from './useFocusQueue.ts';

export interface FocusKeyActions {
  approve: () => void;
  submit: (decision: Decision) => Promise<void>;
  undo: () => Promise<void>;
  advance: () => Promise<void>;
  back: () => Promise<void>;
  guarded: (fn: () => Promise<void>) => Promise<void>;
  setMode: (m: Mode) => void;
}

/**
 * The labeling keys (a r e s u j k). Keys do nothing under a dialog, in a field, outside the plain
 * view, or while a label is being saved and the next pair loads. One handler for the life of the
 * view: it reads the moment's state through refs and the latest actions through a ref.
 */
export function useFocusKeys(
  refs: { viewRef: RefObject<View>; modeRef: RefObject<Mode>; busy: RefObject<boolean> },
  latest: FocusKeyActions,
): void {
  const actions = useRef(latest);
  actions.current = latest;
  const { viewRef, modeRef, busy } = refs;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (keysBlocked(e) || busy.current || modeRef.current !== 'view') return;
      const ready = viewRef.current.status === 'ready';
      const a = actions.current;
      switch (e.key) {
        case 'a':
          if (ready) a.approve();
          break;
        case 'r':
          if (ready) {
            e.preventDefault();
            a.setMode('reject');
          }
          break;
        case 'e':
          if (ready) {
            e.preventDefault();
            a.setMode('edit');
          }
          break;
        case 's':
          if (ready) void a.submit('skip');
          break;
        case 'u':
          void a.undo();
          break;
        case 'j':
          void a.guarded(a.advance);
          break;
        case 'k':
          void a.guarded(a.back);
          break;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [viewRef, modeRef, busy]);
}
