import type { MemoryGroup, MemoryUnit, ParsedMemory } from './memory-units.ts';

/**
 * An application or system log pasted as a memory, read line by line: each record (a line that
 * opens with a timestamp, and the lines under it that do not, a stack trace's "at ..." frames and
 * "... 42 more", a Python traceback) is one unit, kept as written or not at all, its stamp, level
 * and `[service]` tag its label, as a chat turn's. Review 5, F-08 / F-18: read as prose, a line was
 * cut into sentences and its 2nd sentence kept alone ("Rolling back is NOT needed for orders-api."
 * with no time, level nor service), a stack trace's frames were glued onto the ERROR line and its
 * "... 42 more" kept alone, and the telegraphic style edited the literal log text, so a grep for the
 * real error failed. Records are grouped by the day of their stamp, as a stamped chat's turns are.
 */

const MONTH = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';

/**
 * The stamp a log line opens with, the day it names in its groups:
 * ISO 8601 or Python logging ("2026-11-30T21:58:02.114Z", "[2026-11-30 21:58:02,114]"), nginx's
 * error log ("2026/12/06 06:52:01"), syslog ("Dec  6 06:52:01"), and a web server's access log
 * ("203.0.113.7 - - [06/Dec/2026:06:52:01 +0000]"), and `kubectl get events`' age, type, reason and
 * object ("55m   Warning   FailedScheduling   pod/api-7c9d"; review: read as prose, its messages were
 * cut and telegraphed, "Failed to pull image" kept as "Failed pull image"). A time is required: a list of dated facts
 * ("2023-09-12: diagnosed with celiac disease") is no log, nor are stamped notes with no level or
 * tag (`headed`).
 */
const STAMP = new RegExp(
  [
    String.raw`^\[?(?<iso>\d{4}[-/]\d{2}[-/]\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?\]?`,
    String.raw`^(?<syslog>(?:${MONTH})\s{1,2}\d{1,2})\s+\d{2}:\d{2}:\d{2}`,
    String.raw`^\S+ \S+ \S+ \[(?<access>\d{2}/(?:${MONTH})/\d{4}):\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?\]`,
    // kubectl get events: an age, the type, the reason and the object, then the message.
    String.raw`^(?<age>\d{1,5}[smhd](?:\d{1,2}[smh])?|<unknown>)[ \t]+(?:Normal|Warning)[ \t]+[A-Za-z]+[ \t]+\S+/\S+`,
  ].join('|'),
);

/** A kubectl event's head: its age and type, then its reason and object (what `labelSays` gives). */
const EVENT_HEAD =
  /^(?:\d{1,5}[smhd](?:\d{1,2}[smh])?|<unknown>)[ \t]+(?:Normal|Warning)[ \t]+([A-Za-z]+[ \t]+\S+\/\S+)/;

/**
 * The words of a record's label that say what happened, for ranking: a kubectl event's reason and
 * object ("OOMKilling node/ip-10-0-3-41"); '' for any other label (a stamp, a level, a tag). Left out
 * with the label, the reason was no word of the record (review h3: "Was the container OOM killed?"
 * never found the node's OOMKilling event, whose message says only "Killed process (java)").
 */
export function labelSays(label: string): string {
  return EVENT_HEAD.exec(label)?.[1] ?? '';
}

/** A record's level and first tag after its stamp ("INFO  [orders-api]", "[error]", "host sshd[812]:"). */
const HEAD =
  /^[ \t]+(?:(?:\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERR(?:OR)?|FATAL|CRIT(?:ICAL)?|SEVERE|emerg|alert)\]?)\b:?[ \t]*)?(?:(?:-[ \t]+)?\[(?<tag>[^\]\n]{1,40})\]|(?<proc>\S+ [\w./-]+(?:\[\d+\])?):)?/i;

/**
 * After the stamp, a chat's `Name: text` or `Agent (Lena): text` (no level word): a stamped chat,
 * read as dialogue (memory-units.ts), not a log.
 */
const CHAT_AFTER =
  /^[ \t]*(?!(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERR(?:OR)?|FATAL|CRIT(?:ICAL)?|SEVERE)\b)\p{L}[\p{L}\p{N} .'_-]{0,39}?(?:\s*\([^)\n]{1,40}\))?:[ \t]/iu;

/** The day a stamp names, as a group's date ("2026-11-30", "Dec 6", "6 Dec 2026"). */
function dayOf(m: RegExpExecArray): string {
  const g = m.groups ?? {};
  if (g.iso) return g.iso.replace(/\//g, '-');
  if (g.syslog) return g.syslog.replace(/\s+/, ' ');
  // An event's age says no day: one group.
  if (g.age) return '';
  const [d = '', mon = '', y = ''] = (g.access ?? '').split('/');
  return `${Number(d)} ${mon} ${y}`;
}

/**
 * Whether a line opens a log record (a stamp not followed by a chat's `Name:`). A syslog line's
 * `host proc:` is its head, never a chat's label (re-read of session 31: "web1 kernel: Out of
 * memory" was glued to the record above).
 */
function opensRecord(line: string): RegExpExecArray | null {
  const m = STAMP.exec(line);
  return m && (m.groups?.syslog || m.groups?.age || !CHAT_AFTER.test(line.slice(m[0].length))) ? m : null;
}

/**
 * Whether a record reads as a log's, not a dated note's: a level, a `[tag]` or a `host proc:` after
 * its stamp, or a web server's access line. "[2026-03-01 09:12] User is allergic to penicillin." is
 * an assistant's memory, whose facts the query path reads as facts (re-read of session 31: read as a
 * log, its allergy was no standing fact any more).
 */
function headed(line: string, stamp: RegExpExecArray): boolean {
  if (stamp.groups?.access || stamp.groups?.syslog || stamp.groups?.age) return true;
  return (HEAD.exec(line.slice(stamp[0].length))?.[0].trim().length ?? 0) > 0;
}

/**
 * A line a record's trace is made of: indented (a Java frame, a Python traceback's file line), or a
 * trace's own head or tail ("Traceback (most recent call last):", "Caused by: ...", "... 42 more",
 * "java.sql.SQLException: ...", "ZeroDivisionError: division by zero").
 */
const TRACE_LINE =
  /^(?:[ \t]|Traceback \(|Caused by\b|\.\.\. \d+ (?:more|common)|[\w$]+(?:\.[\w$]+)*(?:Exception|Error|Throwable|Warning)\b)/;

/**
 * Whether a memory is a log: three records or more, and records open most of its lines that are
 * no trace under a record (a stack frame, a traceback's lines sit under their record and do not
 * count against it): a diary whose paragraphs open with a time is prose.
 */
export function isLog(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim());
  let records = 0;
  let withHead = 0;
  let loose = 0;
  for (const l of lines) {
    const stamp = opensRecord(l);
    if (stamp) {
      records++;
      if (headed(l, stamp)) withHead++;
    } else if (!TRACE_LINE.test(l)) loose++;
  }
  return records >= 3 && records >= 2 * loose && withHead * 2 >= records;
}

/**
 * The length of a record's head (its stamp, level and first `[tag]` or syslog `host proc[pid]:`),
 * or null for a line that opens no record: the label the pruner keeps as a speaker's.
 */
export function recordHead(line: string): number | null {
  const stamp = opensRecord(line);
  if (!stamp) return null;
  const head = HEAD.exec(line.slice(stamp[0].length));
  return stamp[0].length + (head?.[0].trimEnd().length ?? 0);
}

/** The log as records (see above), or null when the text is no log. */
export function parseLogLines(text: string): ParsedMemory | null {
  if (!isLog(text)) return null;
  const units: MemoryUnit[] = [];
  const groups: MemoryGroup[] = [];
  let group = -1;
  let day: string | null = null;
  let record: { start: number; end: number; label: string | null; speaker: string | null } | null = null;
  const flush = () => {
    if (!record) return;
    const span = text.slice(record.start, record.end).trimEnd();
    if (group < 0) {
      groups.push({ header: null, headerDate: day, units: [] });
      group = groups.length - 1;
    }
    const index = units.length;
    units.push({
      index,
      start: record.start,
      end: record.start + span.length,
      text: span,
      kind: 'code',
      speaker: record.speaker,
      group,
      turn: index,
      label: record.label,
      first: true,
      pinned: false,
    });
    groups[group]?.units.push(index);
    record = null;
  };
  let start = 0;
  for (const line of text.split('\n')) {
    const end = start + line.length;
    const stamp = opensRecord(line);
    if (stamp) {
      flush();
      const d = dayOf(stamp);
      if (d !== day && group >= 0 && groups[group]?.units.length) group = -1;
      if (group >= 0 && groups[group]) (groups[group] as MemoryGroup).headerDate ??= d;
      day = d;
      const head = HEAD.exec(line.slice(stamp[0].length));
      const speaker = head?.groups?.tag ?? head?.groups?.proc ?? null;
      record = { start, end, label: `${stamp[0]}${head?.[0].trimEnd() ?? ''}`, speaker };
    } else if (!line.trim()) flush();
    else if (record) record.end = end;
    else {
      // A line before the first record (a title, a command) stands alone, as written.
      record = { start: start + (line.length - line.trimStart().length), end, label: null, speaker: null };
      flush();
    }
    start = end + 1;
  }
  flush();
  return { text, format: 'dialogue', log: true, units, groups };
}
