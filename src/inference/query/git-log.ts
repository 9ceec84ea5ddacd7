import { COMMIT, COMMIT_FIELD } from '../../generation/strategies/pruned/structure.ts';
import { maxOf } from '../../util/extremes.ts';
import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';

/**
 * A `git log` pasted as a memory, read as records: each commit a group whose header is its
 * "commit", "Author:" and "Date:" lines and whose units are its subject and its body's sentences
 * (read across the message's wrapped lines), so a kept body line always stands under its own
 * commit, with its subject. Read as a chat ("Author:" and "Date:" as speakers), a kept "Date:" stood
 * with no commit and a body line ran into the next commit's "Author:" (review: "...until
 * 2024-12-01.\nAuthor: Yusuf Demir" gave the next commit's author to the previous body).
 * `git log --oneline` is one record a line; `--stat` lines are kept as written.
 */

/** A `--oneline` line: a short hash, any decoration, the subject. */
const ONELINE = /^[0-9a-f]{7,12}[ \t]+(?:\([^)\n]*\)[ \t]+)?\S/;
/** A `--stat` line: " src/a.ts | 12 ++--" or " 3 files changed, 10 insertions(+)". */
const STAT = /^[ \t]+\S.*\|[ \t]+(?:\d+|Bin\b)|^[ \t]+\d+ files? changed\b/;

interface Span {
  start: number;
  end: number;
  text: string;
}

/** The memory's sentence split over a span (memory-units.ts), passed in so this module needs no cycle. */
export type SentenceSplit = (span: Span) => Span[];

/** Whether a memory is a git log: it opens with a commit line and its fields, or is all `--oneline` lines. */
export function isGitLog(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim());
  if (COMMIT.test(lines[0] ?? '') && COMMIT_FIELD.test(lines[1] ?? '')) return true;
  return lines.length >= 3 && lines.every((l) => ONELINE.test(l));
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
/** git's default date: "Mon Oct 14 17:22:05 2024 +0200". */
const GIT_DATE = new RegExp(
  String.raw`^(?:\w{3}\s+)?(${MONTHS})\w*\s+(\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s+(\d{4})`,
  'i',
);

/** A commit's date as a day ("14 Oct 2024"), or the field's value as written when git's format is not it. */
function commitDay(value: string): string {
  const m = GIT_DATE.exec(value.trim());
  return m ? `${m[2]} ${m[1]} ${m[3]}` : value.trim();
}

/**
 * A commit's header as the telegraphic style shows it: "commit 9f3c2a1 · Ines Carvalho · 14 Oct
 * 2024" (the hash short, the author without an address, the day without time and zone); null for
 * any other header.
 */
export function shortCommitHeader(header: string): string | null {
  const lines = header.split('\n');
  const hash = COMMIT.exec(lines[0] ?? '')?.[1];
  if (!hash) return null;
  const parts = [`commit ${hash.slice(0, 7)}`];
  for (const line of lines.slice(1)) {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key = '', value = ''] = m;
    if (key === 'Author') parts.push(value.replace(/\s*<[^<>]*>\s*$/, ''));
    else if (key === 'Date' || key === 'AuthorDate') parts.push(commitDay(value));
    else if (key === 'Merge') parts.push(`merge ${value}`);
  }
  return parts.join(' · ');
}

/** The log as records (see above), or null when the text is no git log. */
export function parseGitLog(text: string, sentences: SentenceSplit): ParsedMemory | null {
  if (!isGitLog(text)) return null;
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  let turn = 0;
  const push = (span: Span, kind: MemoryUnit['kind'], group: number, t: number, first: boolean) => {
    const lead = span.text.length - span.text.trimStart().length;
    const trimmed = span.text.trim();
    if (!trimmed) return;
    const body = kind === 'sentence' ? trimmed.replace(/[ \t]*\n\s*/g, ' ') : trimmed;
    const index = units.length;
    units.push({
      index,
      start: span.start + lead,
      end: span.start + lead + trimmed.length,
      text: body,
      kind,
      speaker: null,
      group,
      turn: t,
      label: null,
      first,
      pinned: false,
    });
    groups[group]?.units.push(index);
  };
  const lines: Span[] = [];
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lines.push({ start, end, text: text.slice(start, end) });
    start = end + 1;
  }
  let group = -1;
  /** The message lines read since the last blank one: a paragraph of the body. */
  let block: Span[] = [];
  let inHeader = false;
  const flush = () => {
    const head = block[0];
    const last = block.at(-1);
    block = [];
    if (!head || !last || group < 0) return;
    const g = groups[group] as MemoryGroup;
    const t = turn++;
    if (g.lead === undefined) {
      // The subject: a commit's title, one unit, which any kept line of its body brings.
      push({ start: head.start, end: last.end, text: text.slice(head.start, last.end) }, 'line', group, t, true);
      g.lead = g.units.at(-1);
      return;
    }
    const span = { start: head.start, end: last.end, text: text.slice(head.start, last.end) };
    sentences(span).forEach((s, k) => {
      push(s, 'sentence', group, t, k === 0);
    });
  };
  for (const l of lines) {
    const body = l.text.trim();
    if (COMMIT.test(l.text)) {
      flush();
      groups.push({ header: body, headerDate: null, units: [] });
      group = groups.length - 1;
      inHeader = true;
      continue;
    }
    if (inHeader && COMMIT_FIELD.test(l.text)) {
      const g = groups[group] as MemoryGroup;
      g.header = `${g.header}\n${body}`;
      if (/^(?:Author)?Date:/.test(body)) g.headerDate = commitDay(body.replace(/^\w+:\s*/, ''));
      continue;
    }
    inHeader = false;
    if (!body) {
      flush();
      continue;
    }
    if (ONELINE.test(l.text) && !/^\s/.test(l.text)) {
      flush();
      groups.push({ header: null, headerDate: null, units: [] });
      group = groups.length - 1;
      push(l, 'line', group, turn++, true);
      continue;
    }
    if (STAT.test(l.text)) {
      // A file's line of a --stat: data, kept as written.
      flush();
      if (group < 0) groups.push({ header: null, headerDate: null, units: [] });
      group = Math.max(group, 0);
      push(l, 'code', group, turn++, true);
      continue;
    }
    if (group < 0) {
      groups.push({ header: null, headerDate: null, units: [] });
      group = 0;
    }
    block.push(l);
  }
  flush();
  return { text, format: 'prose', units, groups };
}

/** A revert's subject ("Revert \"cache: enable ...\"") and body ("This reverts commit 4b1d0e2c."). */
const REVERT_SUBJECT = /^Revert\s+"(.+)"\s*$/;
const REVERTS_HASH = /\breverts commit ([0-9a-f]{7,40})\b/i;

/**
 * The commit each commit reverts, as group indexes (reverted -> revert): named by its hash in the
 * revert's body, or else by its subject in the revert's (the nearest such commit, an older one
 * first: a change reverted and made again has its subject twice; review of session 28).
 */
function reverts(memory: ParsedMemory): Map<number, number> {
  const out = new Map<number, number>();
  const hashOf = (g: MemoryGroup) => COMMIT.exec(g.header ?? '')?.[1] ?? '';
  const subjectOf = (g: MemoryGroup) => (g.lead === undefined ? '' : (memory.units[g.lead]?.text ?? ''));
  // A log lists its newest commit first unless its dates say otherwise (`git log --reverse`).
  const newestFirst = commitTimes(memory).every((t, k, all) => k === 0 || t <= (all[k - 1] as number));
  memory.groups.forEach((g, k) => {
    if (g.lead === undefined) return;
    const subject = REVERT_SUBJECT.exec(subjectOf(g))?.[1];
    const hash = g.units.map((i) => REVERTS_HASH.exec(memory.units[i]?.text ?? '')?.[1]).find(Boolean);
    if (!subject && !hash) return;
    let target = -1;
    if (hash)
      target = memory.groups.findIndex((o, j) => {
        const own = j !== k && hashOf(o);
        return Boolean(own) && ((own as string).startsWith(hash) || hash.startsWith(own as string));
      });
    if (target < 0 && subject) {
      // Older commits lie after a newest-first log's revert, before a --reverse one's.
      const distance = (j: number) => (newestFirst ? j - k : k - j);
      let best = Number.POSITIVE_INFINITY;
      memory.groups.forEach((o, j) => {
        if (j === k || subjectOf(o) !== subject) return;
        const d = distance(j);
        // An older commit at any distance before a newer one.
        const rank = d > 0 ? d : memory.groups.length - d;
        if (rank < best) {
          best = rank;
          target = j;
        }
      });
    }
    if (target >= 0) out.set(target, k);
  });
  return out;
}

/** Each commit's time from its header's Date line, in the log's order (commits without one left out). */
function commitTimes(memory: ParsedMemory): number[] {
  return memory.groups.flatMap((g) => {
    const date = /^(?:Author)?Date:\s+(.+)$/m.exec(g.header ?? '')?.[1];
    const t = date ? Date.parse(date) : Number.NaN;
    return Number.isNaN(t) ? [] : [t];
  });
}

/**
 * A revert ranks right after the commit it reverts, as the newer word on it: the reverted commit
 * named the question's words best ("cache: enable Redis cluster mode by default") and was kept
 * alone, the revert saying it is NOT the default dropped (review, at 0.1). The revert's units keep
 * their own order, each just under the reverted commit's best unit, unless they rank higher already.
 */
export function rankReverts(score: Float64Array, memory: ParsedMemory): void {
  for (const [target, revert] of reverts(memory)) {
    const best = maxOf((memory.groups[target]?.units ?? []).map((i) => score[i] as number));
    const own = [...(memory.groups[revert]?.units ?? [])].sort(
      (a, b) => (score[b] as number) - (score[a] as number) || a - b,
    );
    own.forEach((i, k) => {
      const next = best - 1e-6 * (k + 1);
      if ((score[i] as number) < next) score[i] = next;
    });
  }
}
