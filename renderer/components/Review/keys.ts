import { useStudio } from '../../store/index.ts';

/**
 * Whether a labeling key must do nothing now: a dialog or overlay is open (the `?` help, a comment
 * or confirm dialog: anything with aria-modal), or the key was typed into a field. Read from the
 * store and the DOM at the moment of the key, never from a render's closure.
 */
export function keysBlocked(e: KeyboardEvent): boolean {
  if (useStudio.getState().helpOpen) return true;
  if (document.querySelector('[aria-modal="true"]')) return true;
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable))
    return true;
  return e.ctrlKey || e.metaKey || e.altKey;
}
