/**
 * The lines setting the variables that the kept lines of a script or a config read, added when they
 * fit: a kept line using a variable says where the value goes, the line setting it says the value.
 * Asked "What concurrency does the worker run with?", worker.sh came back with `--concurrency
 * "$WORKERS"` in its blocks at 25 of 35 tokens, without `WORKERS="${WORKERS:-8}"` and its 8
 * (session 39 item 4): the ranking puts a setter right under the line reading it
 * (source-lines.ts), but the selection's budget had gone to the blocks' openers and closers.
 */
import { ELIDED } from './command-lines.ts';
import { type NestedLines, nestKeptLines } from './nested-lines.ts';

/** A variable read: `$X`, `${X}`, `${X:-v}`, a Makefile's `$(X)` or `${X}`, a batch file's `%X%`. */
const READS = /\$\{?([A-Za-z_]\w*)|\$\(([A-Za-z_]\w*)\)|%([A-Za-z_]\w*)%/g;
/**
 * A variable set on its line: a shell's `X=v` (`export`, `local`, `readonly`, `declare`), a
 * Makefile's `X := v` (`?=`, `+=`, `=`), a batch file's `set X=v`, a Dockerfile's `ENV X=v` and `ARG X=v`.
 */
const SETS =
  /^(?:(?:export|local|readonly|declare(?:\s+-\w+)*|set|ENV|ARG)\s+)?([A-Za-z_]\w*)(?:=|\s*(?:::?=|\?=|\+=|=)\s)/i;

/** The names a text reads, in the order it first reads them. */
function readNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(READS)) names.add((m[1] ?? m[2] ?? m[3]) as string);
  return [...names];
}

/**
 * The shown lines (`shown`, as nestKeptLines wrote them) with the line setting each variable they
 * read, its first in `source`, each added when the whole still `fits`; null when none is added.
 */
export function withSettingLines(
  source: string,
  shown: string,
  options: { indent: boolean; fits: (text: string) => boolean },
): NestedLines | null {
  const setter = new Map<string, string>();
  for (const line of source.split('\n')) {
    const t = line.trim();
    const name = SETS.exec(t)?.[1];
    if (name !== undefined && !setter.has(name)) setter.set(name, t);
  }
  const shownLines = new Set(
    shown
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && l !== ELIDED),
  );
  const setHere = new Set([...shownLines].map((l) => SETS.exec(l)?.[1]).filter((n) => n !== undefined));
  let kept = shown;
  let best: NestedLines | null = null;
  // A setter added reads what it reads in turn (`DUMP="${DIR}/db.dump"`): the names it reads follow.
  const names = readNames(shown);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const line = setter.get(name);
    if (line === undefined || setHere.has(name) || shownLines.has(line)) continue;
    setHere.add(name);
    const nested = nestKeptLines(source, `${kept}\n${line}`, { indent: options.indent });
    if (!nested || !options.fits(nested.text)) continue;
    kept = nested.text;
    best = nested;
    shownLines.add(line);
    for (const more of readNames(line)) if (!names.includes(more)) names.push(more);
  }
  return best;
}
