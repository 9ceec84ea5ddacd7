import { type Change, diffWordsWithSpace } from 'diff';
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
      <Pane title="Original" testId="original" text={original} parts={parts} hide="added" mark="removed" />
      <Pane title="Compressed" testId="compressed" text={compressed} parts={parts} hide="removed" mark="added" />
    </div>
  );
}

/** One side of the diff: the parts that belong to it, the ones only it has marked. */
function Pane(props: {
  title: string;
  testId: string;
  text: string;
  parts: Change[] | null;
  hide: 'added' | 'removed';
  mark: 'added' | 'removed';
}) {
  return (
    <div className="pane">
      <h3>{props.title}</h3>
      <pre className="text" data-testid={props.testId}>
        {props.parts
          ? props.parts.map((p, i) =>
              p[props.hide] ? null : (
                // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity
                <span key={i} className={p[props.mark] ? (props.mark === 'removed' ? 'del' : 'ins') : undefined}>
                  {p.value}
                </span>
              ),
            )
          : props.text}
      </pre>
    </div>
  );
}
