import { type ParsedMemory, readsAsEmail } from './memory-units.ts';

/**
 * The frame of an email thread pasted as a memory: salutations and sign-offs ("Hi all,", "Thanks
 * for all the input,"), a signature (its "--", the name, title, company and phone lines, a slogan),
 * "Sent from my iPhone", a confidentiality notice. A question naming a person matched her
 * signature best ("Rachel", "Rachel Gomez" on lines of their own), and these lines took the budget
 * of the decision she wrote (review: "Which vendor did Rachel decide on?" kept four signature lines
 * and lost "we are going with Zebra"). Ranked below every other line, they are kept only when
 * everything else is.
 */

const QUOTE = /^(?:>\s?)+/;

/**
 * A greeting or a sign-off: the word alone ("Thanks.", "Best,"), or with a few words after it that
 * end on a comma or an exclamation mark ("Hi all,", "Thanks for all the input,"). "Best option is
 * Zebra." is a sentence.
 */
const SALUTATION =
  /^(?:hi|hello|hey|dear|thanks|thank you|many thanks|best|regards|kind regards|best regards|warm regards|cheers|sincerely|warmly|all the best)(?:[.!,]?|\b[^.!?\d]{0,40}[,!])$/i;

/**
 * A line of names and titles only, every word capitalised ("VP Operations | Northwind Logistics",
 * "Rachel"). One word closed by a full stop is an answer ("Approved.").
 */
const NAMES_ONLY = /^\p{Lu}[\p{L}'’-]*(?:\.(?=\s))?(?:[ \t]*[,|&/·–—]?[ \t]+\p{Lu}[\p{L}.'’-]*){0,5},?$/u;

function isFrame(line: string): boolean {
  const text = line.replace(QUOTE, '').trim();
  if (!text || /^[-—–_]{2,}$/.test(text)) return true;
  // A phone number, the one frame with digits, is tested below; any other line with a digit says something.
  if (/^[+()\d][\d\s().+-]{6,}$/.test(text)) return true;
  if (/\d/.test(text)) return false;
  if (/^sent from my\b/i.test(text) || /^this (?:e-?mail|message)\b.*\bconfidential\b/i.test(text)) return true;
  // A quoted slogan alone.
  if (/^["“][^"”]{1,60}["”]$/.test(text)) return true;
  return (text.split(/\s+/).length <= 6 && SALUTATION.test(text)) || NAMES_ONLY.test(text);
}

/**
 * The units of an email memory that are its frame: lines or sentences (no chat turns, no pinned
 * tags), in memory order. None when the memory does not read as email.
 */
export function emailFrames(memory: ParsedMemory): number[] {
  if (memory.format === 'dialogue' || !readsAsEmail(memory.text)) return [];
  return memory.units.filter((u) => !u.pinned && u.kind !== 'turn' && isFrame(u.text)).map((u) => u.index);
}

/** A reply's attribution line: "On Wed, 11 Jun 2025 at 09:15, Owen Barrett <owen@x.com> wrote:". */
const WROTE = /^On .*?,\s*(\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,3})\s*(?:<[^>]*>)?\s*wrote:\s*$/u;
/** A header's sender: "From: Rachel Gomez <rachel@x.com>". */
const FROM = /^From:\s*"?(\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,3})"?\s*(?:<[^>]*>)?\s*$/u;
/** A signature's name: one to three capitalised words alone on a line. */
const SIGNED = /^\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2}$/u;

/**
 * Who wrote each unit of an email memory: the sender its quote depth belongs to, named by the
 * reply's "On ..., Name <address> wrote:" line above it, a "From:" header, or else the name its
 * message is signed with (after "--" or a sign-off). A question naming a person then finds what she
 * wrote as it finds what a speaker said in a chat (the ranker's speaker feature); her signature
 * alone no longer stands in for it (review). Null where no author is known; none outside email.
 */
export function emailAuthors(memory: ParsedMemory): (string | null)[] {
  const out: (string | null)[] = memory.units.map(() => null);
  if (memory.format === 'dialogue' || !readsAsEmail(memory.text)) return out;
  const lines: { start: number; depth: number; text: string }[] = [];
  let at = 0;
  for (const raw of memory.text.split('\n')) {
    const quote = QUOTE.exec(raw)?.[0] ?? '';
    lines.push({ start: at, depth: (quote.match(/>/g) ?? []).length, text: raw.slice(quote.length).trim() });
    at += raw.length + 1;
  }
  // Named by a "wrote:" line or a "From:" header, depth by depth, as the lines go.
  const named = new Map<number, string>();
  const lineAuthor: (string | undefined)[] = [];
  // The messages of each depth, split where a greeting follows a sign-off ("Thanks, Rachel" then
  // "Hi Rachel, ..." from Owen), each named by its own signature for the lines no header named
  // (review: one signature named a whole thread).
  interface Message {
    signOff: number;
    signed?: string;
  }
  const open = new Map<number, Message>();
  const messageOf: Message[] = [];
  lines.forEach((l, k) => {
    const wrote = WROTE.exec(l.text)?.[1];
    const from = FROM.exec(l.text)?.[1];
    // Its message is quoted one deeper (a mail client's reply), or follows at its own depth (a
    // thread pasted message by message under each sender's line).
    if (wrote) {
      const next = lines.slice(k + 1).find((n) => n.text);
      named.set(next && next.depth > l.depth ? l.depth + 1 : l.depth, wrote);
    }
    if (from) named.set(l.depth, from);
    lineAuthor[k] = named.get(l.depth);
    const greeting = /^(?:hi|hello|hey|dear)\b/i.test(l.text) && SALUTATION.test(l.text);
    let message = open.get(l.depth);
    if (!message || (greeting && message.signOff >= 0) || wrote || from) {
      message = { signOff: -1 };
      open.set(l.depth, message);
    }
    messageOf[k] = message;
    if (/^--\s*$/.test(l.text) || (SALUTATION.test(l.text) && !greeting)) message.signOff = k;
    else if (message.signOff >= 0 && k - message.signOff <= 2 && SIGNED.test(l.text) && !message.signed)
      message.signed = l.text;
  });
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lines[mid]?.start ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const u of memory.units) {
    if (u.pinned || u.kind === 'turn') continue;
    const k = lineOf(u.start);
    out[u.index] = lineAuthor[k] ?? messageOf[k]?.signed ?? null;
  }
  return out;
}

/** A mail header's field: "From: Marta Kowalski <marta@example.com>". */
const FIELD = /^(From|To|Cc|Bcc|Reply-To|Date|Sent|Subject):[ \t]*(.*)$/i;
/** "Name <address>" (or "\"Name\" <address>"): the name alone says who. */
const NAMED_ADDRESS = /"?([^",<>]*[^\s",<>])"?\s*<[^<>@\s]+@[^<>\s]+>/g;
/**
 * "Thu, 14 Nov 2024 16:42:09 +0100": the day, month, year and minute stay. A zone is a whole word
 * of capitals after a space ("CET", "(UTC)"): read case-blind, with the space optional, any word
 * after a date split into zones in every way, and a "Date:" with words after it took seconds to
 * minutes (review of the session).
 */
const MAIL_DATE =
  /^(?:\p{L}{2,9},?\s+)?(\d{1,2}\s+\p{L}{3,9}\.?\s+\d{4}|\p{L}{3,9}\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2})(?:,?\s+(?:[Aa]t\s+)?(\d{1,2}:\d{2})(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?(?:\s+(?:[+-]\d{4}|\(?[A-Z]{2,5}\)?)(?![\p{L}\p{N}]))*\s*$/u;

const shortDate = (value: string): string => {
  const m = MAIL_DATE.exec(value.trim());
  return m ? [m[1], m[2]].filter(Boolean).join(' ') : value;
};

/**
 * An email's header block or attribution line as a telegraphic memory shows it: names without
 * their addresses, the date without its weekday, seconds and zone, the subject whole ("From: Marta
 * Kowalski\nTo: Daniel Reyes\nCc: Priya Nair\nDate: 14 Nov 2024 16:42\nSubject: RE: Q1 ..."; "On
 * 13 Nov 2024 11:05, Daniel Reyes wrote:"). A header cost 84 o200k tokens, paid with the first line
 * kept under it, and the reply that answered a question did not fit (review: "How many free
 * detention days do we get in Hamburg?" at 0.2 kept the request, never the refusal under the top
 * mail's header). Null for any other header.
 */
export function shortEmailHeader(header: string): string | null {
  const lines = header.split('\n');
  const quote = QUOTE.exec(lines[0] ?? '')?.[0] ?? '';
  const bare = lines.map((l) => l.replace(QUOTE, '').trim());
  // "On Wed, 13 Nov 2024 at 11:05, Daniel Reyes <d.reyes@example.com> wrote:": who after the last comma.
  const attribution = /^On\s+(.*\d),\s*([^,]+?)\s+wrote:$/i.exec(bare.join(' '));
  if (attribution && bare.length <= 2)
    return `${quote}On ${shortDate(attribution[1] as string)}, ${(attribution[2] as string).replace(NAMED_ADDRESS, '$1')} wrote:`;
  const fields = bare.map((l) => FIELD.exec(l));
  if (!fields.every(Boolean) || !fields.some((f) => /^(?:from|subject)$/i.test(f?.[1] ?? ''))) return null;
  return fields
    .map((f) => {
      const [, key = '', value = ''] = f as RegExpExecArray;
      if (/^subject$/i.test(key)) return `${quote}${key}: ${value}`;
      if (/^(?:date|sent)$/i.test(key)) return `${quote}${key}: ${shortDate(value)}`;
      return `${quote}${key}: ${value.replace(NAMED_ADDRESS, '$1')}`;
    })
    .join('\n');
}
