import type { ProtectedSpan } from '../../protect.ts';

/**
 * What a change says beside its new value: the value it replaced ("in milliseconds *instead of
 * seconds*", "2 *(previously 5)*", "*formerly* node-fetchly") and a decision's verb with what makes it
 * final ("*approve* the Acme quote *after all*", "*Cancel* the skip hire"). The pruner ranks these
 * words low (glue, or a verb the model predicts), and without them a changelog reads its old value as
 * a second current one, and a decision as a topic (review, F-03 and F-05: "Timeouts are now in
 * milliseconds instead of seconds" read "now milliseconds", "approve the Acme quote after all"
 * "Acme"). Locked by phraseSpans (lexicon.ts).
 */

/** A word of a clause: no sentence or clause mark, no bracket. */
const W = String.raw`[^\s.,;:!?()\[\]]+`;

/**
 * What replaced what: "instead of X", "rather than X", "in place of X", "in favour of X", French "au
 * lieu de X" and "plutôt que X", German "(an)statt X" and "anstelle von X", with up to four words of
 * what was replaced, within its clause.
 */
const INSTEAD_OF = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:${W}[ \t]+)?(?:instead[ \t]+of|rather[ \t]+than|in[ \t]+place[ \t]+of|in[ \t]+favou?r[ \t]+of|au[ \t]+lieu[ \t]+(?:de|d['’]|du|des)|plutôt[ \t]+que|(?:an)?statt|anstelle[ \t]+(?:von|des|der))(?:[ \t]*${W}){1,4}`,
  'giu',
);

/**
 * A value's old one in brackets: "(was 16)", "(previously 30)", "(formerly node-fetchly)", "(H1 was
 * EUR 279)", German "(vorher 20)", "(bisher ...)", "(früher ...)", French "(avant ...)",
 * "(auparavant ...)", "(anciennement ...)". Kept whole: short, and the whole is the old value.
 */
const OLD_IN_BRACKETS =
  /\((?=[^()\n]{0,30}(?<![\p{L}'’-])(?:was|were|previously|formerly|prev\.|old|earlier|vorher|bisher|früher|avant|auparavant|anciennement|era|antes)(?![\p{L}'’-]))[^()\n]{1,60}\)/giu;

/**
 * "formerly X", "previously X", "used to be X", "früher X": up to four words on. Not "used to" alone:
 * a chat's past habit ("I used to go horseback riding") is no replaced value.
 */
const OLD_AFTER = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:formerly|previously|used[ \t]+to[ \t]+be|früher|vorher|bisher|anciennement|auparavant)(?:[ \t]+${W}){1,4}`,
  'giu',
);

/**
 * A decision's final word: "after all", "instead" or German "stattdessen", "doch", French "finalement",
 * with the two words before "instead" when it ends its clause ("Go with the oak-look vinyl instead":
 * kept alone it says instead of what is new); German and Dutch "sondern" ("nicht X, sondern Y") with
 * its four words on, and "changed my mind" (what follows undoes what came before).
 */
const FINAL = new RegExp(
  [
    String.raw`(?<![\p{L}'’-])after[ \t]+all(?![\p{L}'’-])`,
    // Anchored where a word starts: unanchored, the engine tried every position inside a long run
    // without spaces (54,000 CJK characters took 28 s, re-read of session 32).
    String.raw`(?<![^\s.,;:!?()\[\]"“”])(?:${W}[ \t]+){0,2}instead(?![ \t]+of)(?![\p{L}'’-])`,
    String.raw`(?<![\p{L}'’-])(?:stattdessen|finalement|sondern(?:[ \t]+${W}){1,4})(?![\p{L}'’-])`,
    String.raw`(?<![\p{L}'’-])chang(?:e|ed|ing)[ \t]+(?:my|our|his|her|their)[ \t]+minds?`,
    String.raw`(?<![\p{L}'’-])decided[ \t]+against(?:[ \t]+${W}){1,3}`,
  ].join('|'),
  'giu',
);

/**
 * A decision's verb (approve, reject, cancel, postpone, switch, ...), in English, German and French.
 * "keep" and "go with" decide only where they open a clause or follow "decided to", "keep" only with
 * its object's determiner after it ("Keep the old door handles"; a chat's "Keep it up!", "keep going"
 * and "keep in mind" decide nothing: locked, 70 of them in LoCoMo's tuning sessions cost 5 answers at
 * keep 0.33): DECISION_OPENING. "accept" is left out for the same reason ("accept who we are").
 * French "reporter" only before what is put off ("reporter la réunion"): English "The reporter
 * asked" is a person (re-read of session 32).
 */
const DECISION_VERB =
  "(?:approv(?:e|ed|es|ing)|reject(?:s|ed|ing)?|cancel(?:s|led|ed|ling|ing)?|postpon(?:e|ed|es|ing)|defer(?:s|red|ring)?|declin(?:e|ed|es|ing)|switch(?:es|ed|ing)?(?![ \\t]+(?:up|off|on)(?![\\p{L}]))|revert(?:s|ed|ing)?|renew(?:s|ed|ing)?|terminat(?:e|ed|es|ing)|scrap(?:s|ped|ping)?|shelv(?:e|ed|es|ing)|genehmig\\p{L}*|abgelehnt|ablehnen|storn\\p{L}*|kündig\\p{L}*|gekündigt|verschob\\p{L}*|verschieb\\p{L}*|abgesagt|absagen|approuv\\p{L}*|annul\\p{L}*|report(?:é|ée|és|ées|er(?=[ \\t]+(?:(?:le|la|les|à|au|aux|ce|cet|cette|ces|mon|ma|mes|notre|nos|votre|vos|son|sa|ses|leur|leurs|un|une)(?![\\p{L}])|l['’]|d['’]une?(?![\\p{L}]))))|refus\\p{L}*|valid(?:é|ée|és|ées|er))";
/** A decision's verb with its object: an article and up to two words, within the clause ("Postpone the bathroom"). */
const DECISION = new RegExp(
  String.raw`(?<![\p{L}'’-])${DECISION_VERB}(?![\p{L}'’-])(?:[ \t]+(?:the|a|an|my|our|this|that|it|them|den|die|das|le|la|les))?(?:[ \t]+${W}){0,2}`,
  'giu',
);
/**
 * "keep", "go with", "pick", "choose" at a clause's start (a line, a list item, after a colon or
 * "decided to"), with its object as DECISION's.
 */
const DECISION_OPENING = new RegExp(
  String.raw`(?:^|[.;:!?\n][ \t]*|[-*•][ \t]+|decided[ \t]+to[ \t]+|agreed[ \t]+to[ \t]+|we['’]ll[ \t]+|let['’]s[ \t]+)((?:(?:keep(?:s|ing)?|kept)(?=[ \t]+(?:the|both|all|our|my|his|her|their)[ \t])|go(?:ing)?[ \t]+with|went[ \t]+with|pick(?:ed)?(?![ \t]+up(?![\p{L}]))|choose|chose|stick[ \t]+with|stay[ \t]+with)(?![\p{L}'’-])(?:[ \t]+(?:the|a|an|my|our|this|that|it|them))?(?:[ \t]+${W}){0,2})`,
  'giu',
);

/** A count's side in a vote: for, against, abstaining (English, French, German, Spanish, Italian). */
const VOTE_SIDE = String.raw`(?:votes?[ \t]+)?(?:for|in[ \t]+favou?r|against|opposed|abstentions?|abstaining|abstained|pour|contre|dafür|dagegen|a[ \t]+favor|en[ \t]+contra|abstenciones|a[ \t]+favore|contrari|favorevoli|astenuti)(?![\p{L}])`;
/**
 * A vote's tally, each count with its side, from the first count to the last: "4 for, 0 against",
 * "27 for and 5 against, with 2 abstentions". Thinned, minutes' "Votes: 4 for, 0 against" read
 * "Votes: 4 0 against" and "carried, 27 for and 5 against" "27 and 5 against" (sessions 38-39):
 * the "for" is a closed-class word and went first. Two counts at least: "3 for 2" alone is an offer.
 * The blanks between counts are one run unless a comma splits them: "[ \t]*[,;]?[ \t]+" tried every
 * split of a long run of spaces, 68 s on 200 KB (session 39 re-read).
 */
const VOTE_TALLY = new RegExp(
  String.raw`(?<![\p{L}\p{N}])\d{1,4}[ \t]+${VOTE_SIDE}(?:(?:[ \t]*[,;])?[ \t]+(?:(?:and|with|et|avec|und|bei|y|con|e)[ \t]+)?\d{1,4}[ \t]+${VOTE_SIDE})+`,
  'giu',
);

/** A line that records a decision by its label: "Decision:", "Agreed:", "Beschlossen:", "Décision :". */
const DECISION_LABEL =
  /(?:^|\n)[ \t]*(?:[-*•][ \t]+)?(?:\*\*)?(?:decisions?|decided|agreed|resolved|beschlossen|entschieden|entscheidung|décision|décidé)(?:\*\*)?[ \t]*:/iu;

/**
 * Whether a line records a decision by its label ("Decision: ship 2.4 on 17 March"): in a list such a
 * line never goes whole as saying least (pruned/select.ts), as a standing instruction does not
 * (review: the minutes' two "Decision:" lines went whole at keep 0.33). A line that only says a
 * replaced value still may: a changelog's every line says one, and kept all they overran keep 0.33
 * twice over (482 -> 285 tokens); kept, a line keeps its old value (changeSpans).
 */
export const recordsDecision = (line: string): boolean => DECISION_LABEL.test(line);

/**
 * A section of a changelog or release notes whose items a reader must not miss: what breaks, what
 * was removed, what fixes a vulnerability ("### Breaking changes", "**Removed**", "Security:").
 */
const CRITICAL_SECTION =
  /^(?:#{1,6}[ \t]+|\*\*)?[ \t]*(?:\p{So}\uFE0F?[ \t]*)?(?:breaking(?:[ \t]+changes?)?|removed|removals?|security(?:[ \t]+(?:fixes|updates?|advisor(?:y|ies)))?|vulnerabilit(?:y|ies)(?:[ \t]+fixed)?)(?:\*\*)?[ \t]*:?[ \t]*(?:\*\*)?[ \t]*$/iu;
/** An item that says it of itself: "- BREAKING: ...", "- **Breaking change:** ...", "- [Security] ...". */
const CRITICAL_ITEM =
  /^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+(?:\*\*|\[|`)?(?:breaking(?:[ \t]+changes?)?|removed|security)(?:\*\*|\]|`)?[ \t]*[:!\]]/iu;
/** A line that opens a section: a Markdown heading, a bold line, a short line ending on a colon. */
const SECTION_HEAD = /^(?:#{1,6}[ \t]+\S.*|\*\*[^*\n]{1,60}\*\*:?|[^\s\-*•+][^\n]{0,40}:)[ \t]*$/u;

/**
 * The offsets of the lines that are a breaking change, a removal or a security fix: the list items
 * under such a section, and an item that names itself one. Such an item never goes whole as saying
 * least (select.ts): at keep 0.33 a changelog kept "`abort()` called twice no longer throws" and
 * dropped "Timeouts are now in milliseconds instead of seconds", its main breaking change (review
 * F-05, session 33). Thinned as any item is: kept whole, every changelog line overran the ratio.
 */
export function criticalChangeLines(text: string): Set<number> {
  const out = new Set<number>();
  let critical = false;
  let at = 0;
  for (const line of text.split('\n')) {
    if (SECTION_HEAD.test(line)) critical = CRITICAL_SECTION.test(line.trim());
    else if (CRITICAL_ITEM.test(line) || (critical && /^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]+\S/u.test(line)))
      out.add(at + (line.length - line.trimStart().length));
    at += line.length + 1;
  }
  return out;
}

/**
 * The spans' kind: only locks read them, and a change is no denial ("terminate" as 'negation' read as
 * one to what lists a text's negations, select.test.ts), so the kind of a field's words.
 */
const LOCK = 'field' as const;

export function changeSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const re of [INSTEAD_OF, OLD_IN_BRACKETS, OLD_AFTER, FINAL, DECISION, VOTE_TALLY])
    for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, kind: LOCK });
  // A decision's label with its first word, the verb ("Decision: ship 2.4" read "Decision: 2.4").
  for (const m of text.matchAll(new RegExp(`${DECISION_LABEL.source}[ \\t]*${W}`, 'giu')))
    out.push({ start: m.index, end: m.index + m[0].length, kind: LOCK });
  for (const m of text.matchAll(DECISION_OPENING)) {
    const verb = m[1] as string;
    const start = m.index + m[0].length - verb.length;
    out.push({ start, end: start + verb.length, kind: LOCK });
  }
  return out;
}
