/**
 * How a script's lines (memory-units.ts parseSourceLines) rank for a question: by what each line
 * says, BM25 and dense relevance alone. The learned ranker and the hand weights' neighbour and
 * session shares were fitted on chats, where a turn near the answer is worth keeping; in a script
 * they put `#!/usr/bin/env bash` and the header comment above `pg_dump --format=custom ...` for
 * "What format does the database dump use?" (review s35 h3, s36 h1). A line opening a block
 * (`dump() {`, `if ...; then`, a `case` arm) ranks with its block's best line, right after it:
 * nested-lines.ts shows the opener over a kept line anyway, and kept alone it came back as an empty
 * block (`dump() {`, `...`, `}`). A line only closing a block (`}`, `fi`, `done`, `esac`, `;;`)
 * ranks last: nested-lines.ts brings it under its opener.
 */
import type { MemoryUnit, ParsedMemory } from './memory-units.ts';

/** A line that only closes a block: nothing of its own to say. */
const CLOSER_ONLY = /^(?:[}\])][;,]?|fi|done|esac|;;)(?:\s*[;&|].*)?$/;

/** Columns of a unit's indentation in its source line (a tab to the next multiple of 8). */
function indentOf(text: string, u: MemoryUnit): number {
  const from = text.lastIndexOf('\n', u.start - 1) + 1;
  let col = 0;
  for (const c of text.slice(from, u.start)) col = c === '\t' ? col - (col % 8) + 8 : col + 1;
  return col;
}

/** The share of an opener's own score each line of its block gets (the hand weights' session share). */
const BLOCK_SHARE = 0.4;

/** A comment line (not a `#!` interpreter line): what the file says about its code. */
const COMMENT = /^#(?!!)/;

/**
 * Each unit's score from its BM25 (0..1) and dense relevance (best 1, average 0), weighted as the
 * hand weights weigh them. A block's opener lifts its block's best line to its own score when
 * higher, and is itself never spent on, nor is a closer: nested-lines.ts shows both around a kept
 * line, and the opener kept alone came back as an empty block (`dump() {`, `...`, `}`, at 0.1
 * and 0.2). A comment ranks no higher than just under the best line of code: it tells what the
 * code does in the question's words (`# Nightly database backup: dump, compress, upload, prune.`
 * ranked above `pg_dump --format=custom ...` for "What format does the database dump use?"),
 * the code says how; asked what the script does, the comment still comes right after that line,
 * and after the lines setting what it reads (liftReadWith): at the same score as those, which of
 * them a budget took first turned on the last bit of a MiniLM cosine (session 38).
 */
export function sourceLineScores(
  memory: ParsedMemory,
  lexical: Float64Array,
  dense: Float64Array | null,
  weights: { lexical: number; dense: number },
): Float64Array {
  const { units, text } = memory;
  const n = units.length;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++)
    score[i] = weights.lexical * (lexical[i] ?? 0) + (dense ? weights.dense * Math.max(0, dense[i] ?? 0) : 0);
  const indents = units.map((u) => indentOf(text, u));
  const closer = units.map((u) => CLOSER_ONLY.test(u.text));
  const comment = units.map((u) => COMMENT.test(u.text));
  const opener: boolean[] = new Array(n).fill(false);
  const own = Float64Array.from(score);
  // Innermost blocks first, so an outer opener meets its inner block's best line already lifted.
  for (let i = n - 1; i >= 0; i--) {
    let end = i + 1;
    while (end < n && (indents[end] as number) > (indents[i] as number)) end++;
    const body: number[] = [];
    for (let k = i + 1; k < end; k++) if (!closer[k] && !opener[k]) body.push(k);
    if (!body.length) continue;
    opener[i] = true;
    // The opener's words head its block as a heading its section (a `stop)` arm's lines are all
    // about stopping): a share of them goes to each line under it, as the hand weights give a
    // session's best to its turns; and its best line is lifted to them: asked about `prune`, the
    // block's best line is what says how it prunes.
    for (const k of body) score[k] = (score[k] as number) + BLOCK_SHARE * (own[i] as number);
    const best = body.reduce((b, k) => ((score[k] as number) > (score[b] as number) ? k : b));
    score[best] = Math.max(own[i] as number, score[best] as number);
  }
  liftReadWith(units, indents, score, opener);
  let code = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (!closer[i] && !opener[i] && !comment[i]) code = Math.max(code, score[i] as number);
  if (code > Number.NEGATIVE_INFINITY)
    for (let i = 0; i < n; i++) if (comment[i] && (score[i] as number) >= under(code)) score[i] = under(under(code));
  let lowest = Number.POSITIVE_INFINITY;
  for (const v of score) lowest = Math.min(lowest, v);
  for (let i = 0; i < n; i++) if (closer[i] || opener[i]) score[i] = Math.min(0, lowest) - 1;
  return score;
}

/** A variable set on its line (`BUCKET="s3://..."`, `export TTL=30`, `local dir=...`). */
const SETS = /^(?:(?:export|local|readonly|declare(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*)=/;
/** A variable read (`$BUCKET`, `${BUCKET}`, `${DB_NAME:-shop}`). */
const READS = /\$\{?([A-Za-z_]\w*)/g;
/** A function defined on its line (`upload() {`, `function upload {`). */
const DEFINES = /^(?:function\s+([A-Za-z_][\w-]*)\s*(?:\(\s*\))?|([A-Za-z_][\w-]*)\s*\(\s*\))\s*\{?\s*$/;

/**
 * A line reads with the lines setting the variables it reads: the line setting one ranks right
 * under the best line reading it (`BUCKET="s3://acme-backups/postgres"` under `log "uploading to
 * ${BUCKET}"` for "Where are the backups uploaded?"; `RETENTION_DAYS=14` under the `find ... -mtime
 * "+${RETENTION_DAYS}" -delete` that prunes, for "How long are backups kept?"). A line calling a
 * function of the script (`upload`) ranks just under that function's best line, which its words
 * lift as the opener's do: the call says no more than the name.
 */
function liftReadWith(
  units: readonly MemoryUnit[],
  indents: readonly number[],
  score: Float64Array,
  opener: readonly boolean[],
): void {
  const setter = new Map<string, number>();
  const defined = new Map<string, number>();
  units.forEach((u, i) => {
    const set = SETS.exec(u.text)?.[1];
    if (set !== undefined && !setter.has(set)) setter.set(set, i);
    const fn = opener[i] ? DEFINES.exec(u.text) : null;
    const name = fn?.[1] ?? fn?.[2];
    if (name !== undefined && !defined.has(name)) defined.set(name, i);
  });
  if (!setter.size && !defined.size) return;
  // The best line of each function: the highest scored line of its body (the lines under it, more
  // indented), as its opener lifted it.
  const bodyBest = new Map<number, number>();
  for (const at of defined.values()) {
    let best = -1;
    for (let k = at + 1; k < units.length && (indents[k] as number) > (indents[at] as number); k++) {
      if (opener[k] || CLOSER_ONLY.test((units[k] as MemoryUnit).text)) continue;
      if (best < 0 || (score[k] as number) > (score[best] as number)) best = k;
    }
    if (best >= 0) bodyBest.set(at, best);
  }
  const base = Float64Array.from(score);
  units.forEach((u, i) => {
    const called = defined.get(u.text.trim());
    const best = called === undefined ? undefined : bodyBest.get(called);
    if (best === undefined || opener[i]) return;
    score[best] = Math.max(score[best] as number, base[i] as number);
    score[i] = Math.min(base[i] as number, under(score[best] as number));
  });
  const lifted = Float64Array.from(score);
  units.forEach((u, i) => {
    for (const m of u.text.matchAll(READS)) {
      const at = setter.get(m[1] as string);
      if (at === undefined || at === i) continue;
      score[at] = Math.max(score[at] as number, under(lifted[i] as number));
    }
  });
}

/** Just under a score: a line ranked right after the one it reads with. */
const under = (v: number): number => v - 1e-6 * Math.max(1, Math.abs(v));
