import { MARKUP_TAG } from './protect.ts';

/** Markup tags in prose (an HTML snippet, an app's `<memory>`), paired as a browser pairs them. */

export interface Tag {
  start: number;
  end: number;
  /** Lower-case element name. */
  name: string;
  kind: 'open' | 'close' | 'self';
}

const TAG = new RegExp(MARKUP_TAG, 'g');

/** Inline code and fenced blocks: a tag written there is shown, not markup (`` `<ul>` ``). */
const CODE = /```[\s\S]*?```|~~~[\s\S]*?~~~|`[^`\n]+`/g;

export function findTags(text: string): Tag[] {
  const code =
    text.includes('`') || text.includes('~~~')
      ? Array.from(text.matchAll(CODE), (m) => [m.index, m.index + m[0].length])
      : [];
  const shown = (at: number) => code.some(([a, b]) => a !== undefined && b !== undefined && at >= a && at < b);
  return Array.from(text.matchAll(TAG))
    .filter((m) => !shown(m.index))
    .map((m) => {
      const tag = m[0];
      const name = /^<\/?([^\s/>]+)/.exec(tag)?.[1]?.toLowerCase() ?? '';
      const kind = tag.startsWith('</') ? 'close' : tag.endsWith('/>') ? 'self' : 'open';
      return { start: m.index, end: m.index + tag.length, name, kind };
    });
}

/**
 * Tags paired as a browser pairs them: a closer closes the nearest open tag of its name, and the
 * tags left open inside it (`<br>`, a `<p>` never closed) are unmatched, as is a closer that
 * closes nothing.
 */
export function pairTags(tags: readonly Tag[]): { pairs: [Tag, Tag][]; unmatched: Tag[] } {
  const pairs: [Tag, Tag][] = [];
  const unmatched: Tag[] = [];
  const open: Tag[] = [];
  for (const t of tags) {
    if (t.kind === 'open') open.push(t);
    else if (t.kind === 'close') {
      const k = open.findLastIndex((o) => o.name === t.name);
      if (k < 0) unmatched.push(t);
      else {
        pairs.push([open[k] as Tag, t]);
        unmatched.push(...open.slice(k + 1));
        open.length = k;
      }
    }
  }
  unmatched.push(...open);
  return {
    pairs: pairs.sort((a, b) => a[0].start - b[0].start),
    unmatched: unmatched.sort((a, b) => a.start - b.start),
  };
}

/**
 * `output` (sentences selected from `original`) without the halves of elements it cut: the `</p>`
 * of a paragraph whose first sentence went, the `<p>` of one whose last did. Only tags of names
 * the original closes everywhere go: a `<br>`, or a `<li>` the original never closed, stays.
 */
export function dropCutTags(original: string, output: string): string {
  const strays = pairTags(findTags(output)).unmatched;
  if (!strays.length) return output;
  const loose = new Set(pairTags(findTags(original)).unmatched.map((t) => t.name));
  let out = '';
  let at = 0;
  for (const t of strays) {
    if (loose.has(t.name)) continue;
    out += output.slice(at, t.start);
    at = t.end;
  }
  return out + output.slice(at);
}
