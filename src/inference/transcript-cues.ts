import { lowInformationTexts, SMALL_TALK } from '../generation/strategies/pruned/lexicon.ts';
import type { TokenCounter } from '../tokenizers/o200k-counter.ts';
import { type MemoryUnit, parseMemory } from './query/memory-units.ts';
import { telegraph } from './query/telegraph.ts';

/**
 * A subtitle transcript (WebVTT, SRT) compressed without a query: it stays a transcript a player
 * reads, every kept cue with its own number and timing. Cues of small talk and near-repeats
 * ("Yeah.", "Mm-hmm.", "I agree with that." said again) go whole first, as the pruner drops such
 * turns from a chat; if the text is still over the ratio asked, each kept cue's words are made
 * telegraphic (closed-class words dropped, telegraph.ts), its voice tag and timing untouched. The
 * file's head, NOTE, STYLE and REGION blocks are kept as written. Before, a transcript without a
 * query was read as code of no known language and given back whole (review).
 */

export interface CueResult {
  text: string;
  notes: string[];
}

/**
 * A backchannel's words ("Mm-hmm.", "Uh-huh, right.", "Okay, got it."), tested word by word: a
 * pattern of alternatives repeated over the whole cue took seconds on "uhhuh uhhuh ..." (review).
 * "No" and "Nope" are not among them: they answer a question.
 */
const BACKCHANNEL_WORD =
  /^(?:m+-?h?m+|u+h+-?h*u*h+|u+h+|h+m+|mhm|u+m+|a+h+|o+h+|right|yeah|yes|yep|ok|okay|sure|got|it|i|see|true|exactly|sorry|go|ahead)$/;

const isBackchannel = (body: string): boolean => {
  const words = body.toLowerCase().match(/[\p{L}'-]+/gu) ?? [];
  return words.length > 0 && words.length <= 8 && words.every((w) => BACKCHANNEL_WORD.test(w));
};

/**
 * The mechanics of a call, said in a cue of their own ("Sorry, I was on mute", "Can you hear me
 * okay?", "You cut out"): nothing of the meeting's matter. With a number in it a cue stays.
 */
const CALL_MECHANICS =
  /\b(?:on mute|(?:you(?:'re| are)|i was) muted|can you (?:all )?hear me|hear me okay|you cut out|cutting out|you froze|(?:can|could) you repeat that|bad connection|my (?:audio|mic|camera|connection) (?:is|was|keeps|dropped|froze|died)|share my screen|see my screen)\b/i;

/**
 * A meeting's small talk beside the chat's (lexicon.ts): hearing and seeing each other, a moment
 * away and back, a laugh, a goodbye to the room. "Will do", "On it", "No objection" stay: they
 * answer for a task or a decision.
 */
const MEETING_TALK = new Set(
  (
    'loud clear morning afternoon evening ha haha hah classic lol sorry dog barking sec second moment minute ' +
    'back worries everyone all folks bye cheers hear see screen joining join here welcome one guys'
  ).split(' '),
);

/**
 * A meeting's stock closings and acknowledgements, which the word lists cannot hold without taking
 * words of substance with them ("week", "sense", "everything"): "Makes sense.", "Okay, that's
 * everything. Thanks all, see you next week." (review: both kept at 0.5 while the cues that said
 * something were telegraphed). Taken out before the small-talk test; a cue with a number stays.
 */
const CLOSING =
  /\b(?:makes sense|sounds (?:good|great|right)|that(?:'s| is) (?:everything|all|it)(?: for (?:today|now))?|see you(?: all| guys)?(?: (?:next week|tomorrow|later|soon|then|on \p{L}+day|next time))?|talk (?:to you )?(?:soon|later|tomorrow|next week)|have a (?:good|great|nice) (?:one|day|weekend|evening))\b/giu;

/** A cue's lines of text: what follows its number and timing. */
function cueLines(cue: string): { head: string; lines: string[] } {
  const all = cue.split('\n');
  const timing = all.findIndex((l) => l.includes('-->'));
  return { head: all.slice(0, timing + 1).join('\n'), lines: all.slice(timing + 1) };
}

/** The opening "Name:" of an SRT cue's line, which says who speaks. */
const LINE_LABEL = /^[\p{Lu}][\p{L} .'-]{0,39}:(?=\s)/u;

/** A line's words without its voice tag, styling tags (`<v Dana>`, `<i>`, `</v>`) or speaker label. */
const spoken = (line: string) =>
  line
    .replace(/<[^<>]*>/g, '')
    .trim()
    .replace(LINE_LABEL, '')
    .trim();

/** One cue line telegraphic, its opening voice tag and closing tags kept as they were. */
function telegraphLine(line: string, speakers: readonly string[]): string {
  const m = /^((?:<[^<>]+>)*)(.*?)((?:<\/[^<>]+>)*)$/.exec(line);
  const [open, words, close] = [m?.[1] ?? '', m?.[2] ?? line, m?.[3] ?? ''];
  // A "Name:" opening the line (SRT's way of saying who speaks) is a label the telegraph keeps.
  const label = LINE_LABEL.exec(words)?.[0] ?? null;
  return `${open}${telegraph(words, label, { speakers })}${close}`;
}

export function compressCues(text: string, ratio: number, count: TokenCounter): CueResult {
  const memory = parseMemory(text);
  const units = memory.units;
  // A block with no timing line is no cue (a paragraph pasted into the file): kept as written, as
  // the file's head is, and not counted (review: "1 of 4 cues" of 3, telegraphed under a blank line).
  const asWritten = (u: MemoryUnit) => u.pinned || !u.text.includes('-->');
  const cues = units.filter((u) => !asWritten(u));
  const stray = units.filter((u) => !u.pinned && asWritten(u)).length;
  const before = count(text);
  const target = ratio * before;
  // Within the ratio already: every cue stays as written (review: at ratio 1 six of seven went).
  if (before <= target)
    return { text, notes: [`cues: a subtitle transcript within the ratio asked: its ${cues.length} cues as written`] };
  const bodies = cues.map((u) => cueLines(u.text).lines.map(spoken).join(' '));
  // A meeting's stock closings and acknowledgements read as small talk whatever their words.
  const open = bodies.map((b) => b.replace(CLOSING, ' '));
  const dropped = lowInformationTexts(open, MEETING_TALK);
  const wordsOf = (b: string) => b.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  open.forEach((b, k) => {
    if (!wordsOf(b).length && !/\d/.test(bodies[k] as string)) dropped.add(k);
  });
  // Small talk says a word of it: a cue of names alone answers a question ("Zebra.", "Owen.").
  for (const k of [...dropped]) {
    const words = wordsOf(open[k] as string);
    if (words.length && !words.some((w) => SMALL_TALK.has(w) || MEETING_TALK.has(w))) dropped.delete(k);
  }
  // A short line its speaker said before word for word ("I'll add that to the doc.") says nothing
  // new; the pruner's near-repeat test wants three content words, which a stock phrase does not
  // have. Another speaker's same words are theirs ("Will do." from each owner of a task).
  const said = new Set<string>();
  bodies.forEach((b, k) => {
    const words = b.split(/\s+/).length;
    const same = `${cues[k]?.speaker ?? ''}\u0000${b
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim()}`;
    if (isBackchannel(b) || (words <= 12 && !/\d/.test(b) && (CALL_MECHANICS.test(b) || said.has(same))))
      dropped.add(k);
    said.add(same);
  });
  // Every cue small talk (a transcript of greetings): the longest stays, so something is left.
  if (dropped.size === cues.length && cues.length) {
    const longest = bodies.reduce((best, b, k) => (b.length > (bodies[best] as string).length ? k : best), 0);
    dropped.delete(longest);
  }
  const keptCue = new Set(cues.filter((_, k) => !dropped.has(k)).map((u) => u.index));
  const shown = (texts: (u: MemoryUnit) => string) =>
    units
      .filter((u) => asWritten(u) || keptCue.has(u.index))
      .map(texts)
      .join('\n\n');
  let out = shown((u) => u.text);
  const notes = [
    `cues: a subtitle transcript: ${dropped.size} of ${cues.length} cues dropped whole as small talk or repeats${dropped.size ? ` (${cues.length - dropped.size} kept, each with its number and timing)` : ''}`,
  ];
  if (stray) notes.push(`cues: ${stray} block${stray === 1 ? '' : 's'} without a timing line (no cue) kept as written`);
  if (count(out) > target) {
    const speakers = [
      ...new Set(cues.map((u) => u.speaker?.split(/\s+/)[0]?.toLowerCase()).filter((s): s is string => !!s)),
    ];
    out = shown((u) => {
      if (asWritten(u)) return u.text;
      const { head, lines } = cueLines(u.text);
      return [head, ...lines.map((l) => (l.trim() ? telegraphLine(l, speakers) : l))].join('\n');
    });
    notes.push(
      'cues: telegraphic: closed-class words dropped from the kept cues, their timing and voice tags as written',
    );
  }
  const kept = count(out);
  // Said only when it shows: a cue goes whole, so the ratio is met only near enough.
  if (kept > target * 1.02)
    notes.push(
      `cues: kept ${((100 * kept) / Math.max(1, before)).toFixed(0)} % of the tokens (asked ${(ratio * 100).toFixed(0)} %): a cue goes only whole; with a query (--query) the cues it needs are chosen`,
    );
  // The file ends as it did (a final newline), as a player or an editor expects.
  return { text: /\n$/.test(text) ? `${out}\n` : out, notes };
}
