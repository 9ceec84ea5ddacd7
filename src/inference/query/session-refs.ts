import { SESSION_WORD } from '../../generation/protect.ts';
import { maxOf } from '../../util/extremes.ts';
import type { MemoryGroup, ParsedMemory } from './memory-units.ts';
import { queryDates } from './query-cues.ts';
import { liftAbove } from './raise-best.ts';

/**
 * What a conversation is called in a question about one ("our last chat", "the first session"),
 * after "our" or "the": "her last session with the therapist" is an event of the memory, told in
 * some turn, not one of its sessions.
 */
const OURS = String.raw`\b(?:our|the)\s+`;
const TALK = String.raw`(?:conversation|session|chat|talk)s?\b(?!\s+(?:with|of|at|for)\b)`;
const COUNT_WORDS = ['one', 'two', 'three', 'four', 'five', 'six'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const HOW_MANY = String.raw`(?:${COUNT_WORDS.join('|')}|\d)`;
/**
 * The latest sessions: "our last conversation", "the most recent session", "the last two chats",
 * "the last time we talked", "when we last spoke", "What did I tell you last time?". Not "the last
 * time Ann went camping": an event's last time is found by its words, wherever it was told.
 */
const LATEST = new RegExp(
  String.raw`(?:${OURS}(?:last|latest|most\s+recent|previous|final)\s+(?:(?<count>${HOW_MANY})\s+)?${TALK}|\blast\s+time\s+(?:we|you\s+and\s+i|i)\s+(?:talked|spoke|chatted)\b|\blast\s+time\s*(?:[?.!]|$)|\bwhen\s+we\s+last\s+(?:talked|spoke|chatted)\b)`,
  'i',
);
/** The first sessions, or one by its place: "our first conversation", "the third session", "the first time we talked". */
const NTH = new RegExp(
  String.raw`(?:${OURS}(?:very\s+)?(?<nth>${ORDINALS.join('|')}|earliest)\s+${TALK}|\b(?<first>first)\s+time\s+we\s+(?:talked|spoke|chatted)\b)`,
  'i',
);
/** A session's name before its number, in a question and in its header: "session 3", "conversation #2", "Sesión 4". */
const SESSION_NAME = String.raw`(?:${SESSION_WORD}|conversation|chat)\s+(?:no\.?\s*|#)?`;
const NUMBERED = new RegExp(String.raw`\b${SESSION_NAME}(?<n>\d{1,3})\b`, 'i');

/** A session's day as a number that sorts by time (year, month, day), or null when its header gives no full date. */
function dayOf(group: MemoryGroup): number | null {
  if (!group.headerDate) return null;
  const { days, years } = queryDates(group.headerDate);
  if (days.size !== 1 || years.size !== 1) return null;
  const [month, day] = ([...days][0] as string).split('-').map(Number) as [number, number];
  return Number([...years][0]) * 10_000 + month * 100 + day;
}

/**
 * The sessions of a chat memory in the order they took place: by their headers' dates when every
 * header gives one (an app may write the newest first), else as written.
 */
function sessionsInTime(memory: ParsedMemory): MemoryGroup[] {
  const sessions = memory.groups.filter((g) => g.header !== null && g.units.length > 0);
  const days = sessions.map(dayOf);
  if (days.some((d) => d === null)) return sessions;
  const order = sessions.map((g, k) => ({ g, day: days[k] as number, k }));
  return order.sort((a, b) => a.day - b.day || a.k - b.k).map((o) => o.g);
}

/** The sessions a question names by their place or number; none when it names none. */
export function namedSessions(memory: ParsedMemory, query: string): MemoryGroup[] {
  if (memory.format !== 'dialogue') return [];
  const numbered = NUMBERED.exec(query)?.groups?.n;
  if (numbered !== undefined) {
    const header = new RegExp(String.raw`^\W*${SESSION_NAME}${numbered}\b`, 'i');
    return memory.groups.filter((g) => g.header !== null && header.test(g.header));
  }
  const sessions = sessionsInTime(memory);
  if (sessions.length < 2) return [];
  const latest = LATEST.exec(query);
  if (latest) {
    const count = latest.groups?.count?.toLowerCase();
    const n = count === undefined ? 1 : /\d/.test(count) ? Number(count) : COUNT_WORDS.indexOf(count) + 1;
    return sessions.slice(-Math.max(1, n));
  }
  const nth = NTH.exec(query);
  if (nth) {
    const word = (nth.groups?.nth ?? nth.groups?.first ?? '').toLowerCase();
    const place = word === 'earliest' ? 0 : ORDINALS.indexOf(word);
    const session = sessions[place];
    return session ? [session] : [];
  }
  return [];
}

/**
 * A question naming a conversation by its place ("What did Melanie say in our last conversation?",
 * "What did we talk about in the first session?", "session 3"): that session's turns go first, in
 * their own order of relevance, as a question naming its day gets them by the date boost. The
 * ranker reads words, and "last" or "first" name no turn: the latest session's turns were not kept
 * at 10x while thirteen other sessions were (found by use on a LoCoMo conversation).
 */
export function rankNamedSessions(score: Float64Array, memory: ParsedMemory, query: string): void {
  const named = namedSessions(memory, query);
  if (!named.length) return;
  const raised = named.flatMap((g) => g.units.filter((i) => !memory.units[i]?.pinned));
  liftAbove(score, raised, maxOf(score));
}
