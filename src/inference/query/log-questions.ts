import { maxOf } from '../../util/extremes.ts';
import { terms } from './bm25.ts';
import type { MemoryUnit, ParsedMemory } from './memory-units.ts';

/**
 * Two questions a log is asked most, answered by lines relevance alone does not rank first (review
 * F-12, a deploy and its database migration):
 * - "How long did the migration take?": the line stating a duration ("total duration=321s",
 *   "applied in 4m12s"), or a step's start and its end ("running pre-release step: alembic upgrade
 *   head" ... "pre-release step done: alembic upgrade head"), whose two stamps say it. The end line
 *   named no word of the question ("migration") and ranked under the health checks.
 * - "Why did the deploy fail?": the ERROR lines, each with the WARN lines just before it, which say
 *   the cause ("Connection pool exhausted (20/20 in use)", "lock timeout on table orders"): the
 *   error was kept, its cause not, at 0.2 and 0.1.
 * Among the best records (`BEST`), those answering go first: the durations, then each start with
 * its ends; or each error with its causes. Nothing is raised in a memory that is no log.
 */

/** How many of the best records are looked at: the answer is among them, its partner maybe not. */
const BEST = 10;

/** How many records before an error its cause may stand (a stack trace is in the error's record). */
const CAUSE_REACH = 3;

/** How many ends a start brings (a failed run and its retry's success). */
const ENDS = 3;

/** A question asking how long something took, or when it ended. */
const ASKS_DURATION =
  /\bhow\s+long\b|\bhow\s+much\s+time\b|\bhow\s+many\s+(?:seconds|minutes|hours)\b|\b(?:duration|elapsed)\b/i;

/** A question asking why something failed, or what caused it. */
const ASKS_FAILURE =
  /\bwhy\b[^?]*\b(?:fail\w*|broke|break\w*|crash\w*|abort\w*|errors?|down|wrong|roll(?:ed)?\s+back|stop\w*|timed?\s+out|die[ds]?)\b|\bwhat\s+(?:caused|went\s+wrong|broke|happened)\b|\b(?:root\s+)?cause\b|\breason\b[^?]*\bfail/i;

/** A level word in a record's label. */
const LEVEL =
  /(?:^|[\s[|])(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERR(?:OR)?|FATAL|CRIT(?:ICAL)?|SEVERE|EMERG|ALERT|PANIC)\b/i;

type Level = 'error' | 'warn' | 'other';

function levelOf(unit: MemoryUnit): Level {
  const word = LEVEL.exec(unit.label ?? '')?.[1]?.toUpperCase();
  if (!word) return 'other';
  if (word.startsWith('WARN')) return 'warn';
  return /^(?:ERR|FATAL|CRIT|SEVERE|EMERG|ALERT|PANIC)/.test(word) ? 'error' : 'other';
}

/**
 * A stated duration: "4m12s", "321s", "2.3 s", "1h05m", "48 seconds", "duration=321", "took 31.4".
 * A size or count ("412 MB", "20/20") is none.
 */
const DURATION =
  /\b\d+h\d+m(?:\d+s)?\b|\b\d+m\d+(?:\.\d+)?s\b|\b\d+(?:\.\d+)?\s?(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)\b|\b(?:duration|elapsed|took|runtime)[=:]?\s*\d/i;

/** A record saying something began: "Migration started", "running pre-release step", "Starting deploy". */
const STARTS = /\b(?:start(?:ed|ing|s)?|begin(?:ning|s)?|began|running|launch(?:ed|ing)?|kick(?:ed|ing)?\s+off)\b/i;

/** A record saying something ended, well or not: "finished", "done", "applied in", "failed". */
const ENDED =
  /\b(?:finish(?:ed|es)?|done|complete[ds]?|ended|applied|succeeded|successful(?:ly)?|fail(?:ed|s)?|aborted|exited)\b/i;

/** The words of a record's message (its stamp, level and tag left out) that say what it is about. */
function about(unit: MemoryUnit): Set<string> {
  const message = unit.label && unit.text.startsWith(unit.label) ? unit.text.slice(unit.label.length) : unit.text;
  // A logger's name ("alembic.runtime.migration:", "deploy:") says who wrote it, not what it is about.
  const first = (message.split('\n')[0] ?? '').replace(/^\s*[\w$.-]+(?:\[\d+\])?:\s/, '');
  return new Set(
    terms(first.replace(new RegExp(STARTS.source, 'gi'), ' ').replace(new RegExp(ENDED.source, 'gi'), ' ')).filter(
      (t) => !/^\d/.test(t) && t.length > 1,
    ),
  );
}

const shared = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].filter((t) => b.has(t)).length;

/** Whether `end` says the end of what `start` began: two words of its subject or more, or all of one. */
function ends(start: ReadonlySet<string>, end: ReadonlySet<string>): boolean {
  const n = shared(start, end);
  return n >= 2 || (n === 1 && start.size === 1);
}

/**
 * The records answering a duration question: the best ones stating a duration of what the question
 * names ("All 3 migrations finished; total duration=321s"), then each start with its ends, then the
 * other durations among the best ("waited 60s for a lock" is some other wait).
 */
function durationAnswers(units: readonly MemoryUnit[], best: readonly number[], query: string): number[] {
  const asked = new Set(terms(query));
  const stated = best.filter((i) => DURATION.test(firstLine(units[i] as MemoryUnit)));
  const named = stated.filter((i) => shared(about(units[i] as MemoryUnit), asked) > 0);
  const out = [...named];
  for (const i of best) {
    const unit = units[i] as MemoryUnit;
    const line = firstLine(unit);
    const subject = about(unit);
    if (STARTS.test(line) && !ENDED.test(line)) {
      const found: number[] = [];
      for (let j = i + 1; j < units.length && found.length < ENDS; j++) {
        const other = units[j] as MemoryUnit;
        const text = firstLine(other);
        const them = about(other);
        // The same step started again ends this one's reach.
        if (STARTS.test(text) && !ENDED.test(text) && ends(subject, them)) break;
        if (ENDED.test(text) && ends(subject, them)) found.push(j);
      }
      // The last end first: the step's final outcome is its duration's end (re-read of session 32:
      // a failed attempt with its trace came first and took the room of the "done" line after it).
      if (found.length) out.push(i, ...found.reverse());
    } else if (ENDED.test(line) && !STARTS.test(line)) {
      for (let j = i - 1; j >= 0; j--) {
        const other = units[j] as MemoryUnit;
        const text = firstLine(other);
        if (STARTS.test(text) && !ENDED.test(text) && ends(about(other), subject)) {
          out.push(j, i);
          break;
        }
      }
    }
  }
  return [...out, ...stated];
}

/** The records answering a failure question: the best errors, each after the warnings just before it. */
function failureAnswers(units: readonly MemoryUnit[], best: readonly number[]): number[] {
  const out: number[] = [];
  for (const i of best) {
    if (levelOf(units[i] as MemoryUnit) !== 'error') continue;
    const causes: number[] = [];
    for (let j = i - 1; j >= Math.max(0, i - CAUSE_REACH); j--) {
      const level = levelOf(units[j] as MemoryUnit);
      // An error before it is its own failure, with its own causes.
      if (level === 'error') break;
      if (level === 'warn') causes.unshift(j);
    }
    // The nearest cause first: it is what the question asks, and a stack trace may not fit beside
    // it; then the error, then the earlier causes (re-read of session 32: two warnings before the
    // error took a tight budget and the error, what failed, went).
    const nearest = causes.pop();
    out.push(...(nearest === undefined ? [] : [nearest]), i, ...causes);
  }
  return out;
}

const firstLine = (unit: MemoryUnit) => unit.text.split('\n')[0] ?? '';

/**
 * For a log and a question asking how long or why it failed, raises in place the records answering
 * it (see above) above every other, in the order given: each once, where it first comes.
 */
export function rankLogAnswers(score: Float64Array, memory: ParsedMemory, query: string): void {
  if (!memory.log) return;
  const duration = ASKS_DURATION.test(query);
  if (!duration && !ASKS_FAILURE.test(query)) return;
  const { units } = memory;
  const best = units
    .filter((u) => !u.pinned)
    .map((u) => u.index)
    .sort((a, b) => (score[b] as number) - (score[a] as number) || a - b)
    .slice(0, BEST);
  const answers = [...new Set(duration ? durationAnswers(units, best, query) : failureAnswers(units, best))];
  if (!answers.length) return;
  const top = maxOf(score);
  // Each above the next, all above the best: top + 1 down to just over top + 0.5.
  answers.forEach((k, place) => {
    score[k] = top + 1 - (0.5 * place) / answers.length;
  });
}
