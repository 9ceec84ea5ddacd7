import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A modal dialog: while it is open, labeling keys do nothing (keys.ts looks for aria-modal).
 * Esc cancels; the first element marked data-autofocus (else the first button) takes the focus.
 */
export function Modal({
  title,
  onCancel,
  children,
  testId,
}: {
  title: string;
  onCancel: () => void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>('button');
    first?.focus();
  }, []);
  return (
    <div className="overlay">
      <button type="button" className="backdrop" aria-label="Cancel" tabIndex={-1} onClick={onCancel} />
      <div
        ref={ref}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          }
        }}
      >
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}
