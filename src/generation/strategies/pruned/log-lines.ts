import { isLog, recordHead } from '../../../inference/query/log-lines.ts';
import type { Unit } from './units.ts';

/**
 * What the pruner never cuts from an application or system log's lines (review 5, F-02): each
 * record's head, its stamp, level and `[service]` tag, which is the line's speaker label (all 42
 * `[orders-api]`, `[invoice-batch]`, ... tags went, and "Holding 48 connections" no longer said
 * who held them), and the words that say how something ended ("failed", "succeeded", "rolled
 * back", "aborted": "VACUUM ANALYZE order_lines succeeded in 6m31s" came back as "VACUUM ANALYZE
 * order_lines 6m31s", so whether it worked could no longer be read). A log is read as the query
 * path reads one (inference/query/log-lines.ts); nothing is locked in any other text.
 */

/** A word saying how an operation ended, alone ("failed", "aborted:") or before its particle ("rolled back", "timed out"). */
const OUTCOME =
  /^(?:fail(?:ed|s|ing|ure)?|succeed(?:ed|s)?|successful(?:ly)?|abort(?:ed|ing)?|committed|completed?|resolved|triggered|acknowledged|passed|terminated|cancel(?:l?ed|l?ing)|crashed|killed|restarted|rejected|refused|denied|expired|skipped|retrying|rolled|timed|unrelated)$/i;
/** The particle of a two-word outcome ("rolled back", "timed out"). */
const PARTICLE = /^(?:back|out)$/i;
const bare = (w: string) => w.replace(/^[("'[]+|[)"'\].,;:!?]+$/g, '');

/** The units to lock in a log (see above); none when the text is no log. */
export function logLocks(text: string, units: readonly Unit[], lines: readonly [number, number][]): number[] {
  if (!isLog(text)) return [];
  const out: number[] = [];
  const word = (i: number) => bare(text.slice((units[i] as Unit).word, (units[i] as Unit).end));
  for (const [first, last] of lines) {
    const start = (units[first] as Unit).word;
    const line = text.slice(start, (units[last] as Unit).end);
    const head = recordHead(line);
    // A stack trace's lines keep their shape (review 5, F-18): a frame its "at", "... 42 more" all
    // of it (it came back as "42").
    if (head === null && /^\.\.\. \d+ (?:more|common)/.test(line)) {
      for (let i = first; i <= last; i++) out.push(i);
      continue;
    }
    if (head === null && /^at\s/.test(line)) out.push(first);
    for (let i = first; i <= last; i++) {
      const u = units[i] as Unit;
      if (head !== null && u.word < start + head) out.push(i);
      else if (OUTCOME.test(word(i))) {
        out.push(i);
        if (i < last && /^(?:rolled|timed)$/i.test(word(i)) && PARTICLE.test(word(i + 1))) out.push(i + 1);
      }
    }
  }
  return out;
}
