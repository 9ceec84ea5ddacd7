import { diffWordsWithSpace } from 'diff';
import { useMemo } from 'react';

/**
 * Original and compressed side by side, word by word: what the compression removed is struck on
 * the left, what it wrote that was not there is marked on the right.
 */
export function SideBySide({ original, compressed }: { original: string; compressed: string }) {
  const parts = useMemo(() => {
    // Very large texts: a word diff costs O(n·d); past ~200k characters show them plain.
    if (original.length + compressed.length > 400_000) return null;
    return diffWordsWithSpace(original, compressed);
  }, [original, compressed]);
  return (
    <div className="sxs">
      <div className="pane">
        <h3>Original</h3>
        <pre className="text" data-testid="original">
          {parts
            ? parts.map((p, i) =>
                p.added ? null : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity
                  <span key={i} className={p.removed ? 'del' : undefined}>
                    {p.value}
                  </span>
                ),
              )
            : original}
        </pre>
      </div>
      <div className="pane">
        <h3>Compressed</h3>
        <pre className="text" data-testid="compressed">
          {parts
            ? parts.map((p, i) =>
                p.removed ? null : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity
                  <span key={i} className={p.added ? 'ins' : undefined}>
                    {p.value}
                  </span>
                ),
              )
            : compressed}
        </pre>
      </div>
    </div>
  );
}
