import type { Change } from 'diff';
import { useCallback, useMemo, useRef } from 'react';
import { type Line, type Mark, sideMarks, toLines, wordDiff } from './segments.ts';

/**
 * Original and compressed side by side, word by word: what the compression removed is struck on
 * the left, what it wrote that was not there is marked on the right, and protected spans it lost
 * (names, numbers, dates, identifiers) are coloured apart on the left. The two panes scroll
 * together, aligned by line through the text they share. Mount it with a `key` per pair so a new
 * pair starts at the top.
 */
export function SideBySide({
  original,
  compressed,
  dropped = [],
  height,
}: {
  original: string;
  compressed: string;
  dropped?: readonly Mark[];
  /** CSS height of each pane's scroll box (default: the stylesheet's). */
  height?: string;
}) {
  const parts = useMemo(() => wordDiff(original, compressed), [original, compressed]);
  const marks = useMemo(() => sideMarks(original, compressed, parts), [original, compressed, parts]);
  const left = useMemo(() => toLines(original, marks.original, dropped), [original, marks, dropped]);
  const right = useMemo(() => toLines(compressed, marks.compressed), [compressed, marks]);
  const refs = useRef<[HTMLDivElement | null, HTMLDivElement | null]>([null, null]);
  // Where we scrolled the other pane to: its scroll event is ours, not the user's, and is ignored.
  const expected = useRef<[number | null, number | null]>([null, null]);

  const onScroll = useCallback(
    (from: 0 | 1) => {
      const src = refs.current[from];
      const dst = refs.current[from === 0 ? 1 : 0];
      const to = from === 0 ? 1 : 0;
      if (!src || !dst) return;
      const mine = expected.current[from];
      if (mine !== null && Math.abs(src.scrollTop - mine) < 2) {
        expected.current[from] = null;
        return;
      }
      expected.current[from] = null;
      const target = alignedScrollTop(src, dst, from === 0 ? marks.originalToCompressed : marks.compressedToOriginal);
      if (Math.abs(dst.scrollTop - target) < 1) return;
      expected.current[to] = target;
      dst.scrollTop = target;
    },
    [marks],
  );

  return (
    <div className="sxs">
      <Pane
        title="Original"
        testId="original"
        changed="del"
        lines={left}
        height={height}
        innerRef={(el) => {
          refs.current[0] = el;
        }}
        onScroll={() => onScroll(0)}
        legend={dropped.length ? `${dropped.length} protected span${dropped.length > 1 ? 's' : ''} lost` : undefined}
      />
      <Pane
        title="Compressed"
        testId="compressed"
        changed="ins"
        lines={right}
        height={height}
        innerRef={(el) => {
          refs.current[1] = el;
        }}
        onScroll={() => onScroll(1)}
      />
    </div>
  );
}

/**
 * The other pane's scrollTop that shows, at its top, the line matching the one at the top of the
 * source pane, at the same fraction of it. At either end the panes stay at their ends.
 */
function alignedScrollTop(src: HTMLElement, dst: HTMLElement, map: readonly number[]): number {
  const max = dst.scrollHeight - dst.clientHeight;
  if (src.scrollTop <= 0) return 0;
  if (src.scrollTop >= src.scrollHeight - src.clientHeight - 1) return max;
  const srcLines = src.children;
  const dstLines = dst.children;
  if (!srcLines.length || !dstLines.length) return 0;
  // Binary search for the last line starting at or above the top of the source's view.
  const top = src.scrollTop + (srcLines[0] as HTMLElement).offsetTop;
  let lo = 0;
  let hi = srcLines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((srcLines[mid] as HTMLElement).offsetTop <= top) lo = mid;
    else hi = mid - 1;
  }
  const line = srcLines[lo] as HTMLElement;
  const frac = line.offsetHeight ? (top - line.offsetTop) / line.offsetHeight : 0;
  const other = dstLines[Math.min(map[lo] ?? 0, dstLines.length - 1)] as HTMLElement;
  const first = (dstLines[0] as HTMLElement).offsetTop;
  const target = other.offsetTop - first + frac * other.offsetHeight;
  return Math.max(0, Math.min(max, target));
}

/** One side of the diff, one block per line of the text. */
function Pane(props: {
  title: string;
  testId: string;
  lines: Line[];
  height: string | undefined;
  innerRef: (el: HTMLDivElement | null) => void;
  onScroll: () => void;
  legend?: string | undefined;
  /** The class of what only this side has: struck (del) on the original, marked (ins) on the compression. */
  changed: 'del' | 'ins';
}) {
  return (
    <div className="pane">
      <h3>
        {props.title}
        {props.legend && <span className="legend drop">{props.legend}</span>}
      </h3>
      <div
        className="text diff-text"
        data-testid={props.testId}
        ref={props.innerRef}
        onScroll={props.onScroll}
        style={props.height ? { height: props.height } : undefined}
      >
        {props.lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity but their place
          <div className="ln" key={i}>
            {line.map((s, j) =>
              s.cls ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity
                <span key={j} className={s.cls.replace('chg', props.changed)}>
                  {s.text}
                </span>
              ) : (
                s.text
              ),
            )}
          </div>
        ))}
      </div>
    </div>
  );
}

/** One text with the other's changes inline: removed words struck, added words marked. */
export function InlineDiff({
  original,
  compressed,
  testId,
}: {
  original: string;
  compressed: string;
  testId?: string;
}) {
  const parts: Change[] | null = useMemo(() => wordDiff(original, compressed), [original, compressed]);
  return (
    <pre className="text inline-diff" data-testid={testId}>
      {parts
        ? parts.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: diff parts have no identity
            <span key={i} className={p.removed ? 'del' : p.added ? 'ins' : undefined}>
              {p.value}
            </span>
          ))
        : compressed}
    </pre>
  );
}
