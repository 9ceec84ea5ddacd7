import type { ParsedMemory } from './memory-units.ts';

/**
 * The frame of an email thread pasted as a memory: salutations and sign-offs ("Hi all,", "Thanks
 * for all the input,"), a signature (its "--", the name, title, company and phone lines, a slogan),
 * "Sent from my iPhone", a confidentiality notice. A question naming a person matched her
 * signature best ("Rachel", "Rachel Gomez" on lines of their own), and these lines took the budget
 * of the decision she wrote (review: "Which vendor did Rachel decide on?" kept four signature lines
 * and lost "we are going with Zebra"). Ranked below every other line, they are kept only when
 * everything else is.
 */

/** A memory that reads as email: a header field, a reply's "On ... wrote:" or a signature's "--". */
const EMAIL = /^(?:>\s?)*(?:(?:From|Subject|Sent|To|Cc|Date):\s|On .{6,120} wrote:\s*$|--\s*$)/im;

const QUOTE = /^(?:>\s?)+/;

const SALUTATION =
  /^(?:hi|hello|hey|dear|thanks|thank you|many thanks|best|regards|kind regards|best regards|warm regards|cheers|sincerely|warmly|all the best)\b[^.!?]{0,40}[,!.]?$/i;

/** A line of names and titles only, every word capitalised ("VP Operations | Northwind Logistics"). */
const NAMES_ONLY = /^\p{Lu}[\p{L}.'’-]*(?:[ \t]*[,|&/·–—]?[ \t]+\p{Lu}[\p{L}.'’-]*){0,5},?$/u;

function isFrame(line: string): boolean {
  const text = line.replace(QUOTE, '').trim();
  if (!text || /^[-—–_]{2,}$/.test(text)) return true;
  if (/^sent from my\b/i.test(text) || /^this (?:e-?mail|message)\b.*\bconfidential\b/i.test(text)) return true;
  // A phone number alone, a quoted slogan alone.
  if (/^[+()\d][\d\s().+-]{6,}$/.test(text) || /^["“][^"”]{1,60}["”]$/.test(text)) return true;
  return (text.split(/\s+/).length <= 6 && SALUTATION.test(text)) || NAMES_ONLY.test(text);
}

/**
 * The units of an email memory that are its frame: lines or sentences (no chat turns, no pinned
 * tags), in memory order. None when the memory does not read as email.
 */
export function emailFrames(memory: ParsedMemory): number[] {
  if (memory.format === 'dialogue' || !EMAIL.test(memory.text)) return [];
  return memory.units.filter((u) => !u.pinned && u.kind !== 'turn' && isFrame(u.text)).map((u) => u.index);
}
