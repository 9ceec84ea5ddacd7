import { recordsDecision } from './changes.ts';
import { advisesAvoiding, clinicalSpans, namesAllergen } from './clinical.ts';
import { FOREIGN_COURTESY } from './courtesy.ts';
import {
  ALLERGY,
  bare,
  FUNCTION_WORDS,
  holdsNegation,
  isClosedClass,
  isConstraint,
  isInstruction,
  SPELLED_NUMBER,
} from './lexicon.ts';
import { announcesPlan } from './turn-value.ts';
import { DAY_MONTH, TAG_LINE, type Turn, type Unit } from './units.ts';

/**
 * A prose document's sentences and list items as pieces that go whole, least informative first,
 * before any word is thinned (select.ts), as a chat's turns do: a status report, minutes or a lease
 * can only lose words otherwise, and its locked words (negations, quantities, names, deadlines)
 * alone exceed keep 0.5, so keep 0.5 kept 60-64 % and keep 0.33 gave the same output (session 34).
 */

/** A word that ends a sentence (closing quotes and brackets after). */
const SENTENCE_END = /[.!?]+["'’”)\]]*$/u;
/** What may open the next sentence: a capital, a figure, an opening quote or bracket. */
const SENTENCE_START = /^["'‘“([]?[\p{Lu}\p{N}]/u;
/** Abbreviations whose full stop ends no sentence ("Dr. Patel", "e.g. the bank", "approx. 40"). */
const ABBREVIATION =
  /^(?:[\p{Lu}]\.|(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|No|Nr|Art|Sec|Fig|Ref|Inc|Ltd|Co|Jr|Sr|vs|approx|incl|excl|min|max|est|e\.g|i\.e|cf|ca|al|etc|p|pp|para|cl|ch|vol|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)$/u;
/**
 * A day's ordinal full stop before its month's name ("Am 15. Oktober 2025", "den 3. Marts", "1. Mai"):
 * German and the Nordic languages write a date so. Read as a sentence's end, "Am 15." stayed and the
 * date's sentence, "Oktober 2025 wird das Wasser ... abgestellt", went whole (session 38).
 */
const ORDINAL_DAY = /^\d{1,2}\.$/u;
const MONTH_NAME =
  /^(?:jan(?:uar|vier)?|feb(?:ruar)?|m(?:ä|ae)rz|mars|marts|apr(?:il)?|mai|maj|juni?|juli?|aug(?:ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dez(?:ember)?|des(?:ember)?|december)\b/iu;
/** A list item's or a clause's marker opening a line ("-", "2.", "3.1", "(b)"): the line is one piece. */
const ITEM_MARKER = /^(?:[-*+•‣–]|\d{1,3}(?:\.\d{1,3})*[.)]?|\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)|>{1,6})$/u;
/**
 * A blank line, a CRLF's CR in it included: read as "\n[ \t]*\n", a Windows file had no blank line,
 * so no plain heading (re-read of session 34: "Allergies" over "Shellfish makes her swell up." was
 * no heading, and the allergy went at keep 0.33).
 */
const BLANK_LINE = /\n[ \t\r]*\n/;
/** How many words a line reading as a heading may run to. */
const HEADING_MAX_WORDS = 8;

const wordOf = (text: string, units: readonly Unit[], i: number) =>
  text.slice((units[i] as Unit).word, (units[i] as Unit).end);

/**
 * The lines of a document that read as plain headings (no Markdown, not in capitals): a short line
 * (eight words at most) that opens with a capital or a figure, ends with no sentence's or clause's
 * mark (a colon may end it), stands after a blank line or at the text's start, with a line of text
 * under it ("Summary", "Decisions this week", "3. Rent"). Returns each one's [first, last] units.
 */
export function plainHeadings(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
): [number, number][] {
  const out: [number, number][] = [];
  lines.forEach(([first, last], k) => {
    const next = lines[k + 1];
    if (!next || last - first + 1 > HEADING_MAX_WORDS) return;
    const u = units[first] as Unit;
    // After a blank line or at the text's start; the next line right under it, but for the text's
    // first line, its title, which a blank line may follow. Read between the line above and this one:
    // read on all the text before it, each line read the text again (20,000 lines: 1.3 s).
    const above = k > 0 ? (units[(lines[k - 1] as [number, number])[1]] as Unit).end : 0;
    const before = text.slice(above, u.word);
    if ((k > 0 || before.trim()) && !/\n[ \t\r]*\n[ \t]*$/.test(before)) return;
    if (k > 0 && BLANK_LINE.test(text.slice((units[last] as Unit).end, (units[next[0]] as Unit).word))) return;
    const line = text.slice(u.word, (units[last] as Unit).end);
    if (!/^[\p{Lu}\p{N}]/u.test(line) || /[.!?,;]["')\]]*$/u.test(line) || TAG_LINE.test(line)) return;
    // A list item, a Markdown heading or a table row is no plain heading.
    if (/^(?:[-*+•‣–>|#]|\d{1,3}[.)][ \t])/u.test(line) && !/^\d{1,3}(?:\.\d{1,3})*\.?[ \t]+\p{Lu}/u.test(line)) return;
    out.push([first, last]);
  });
  return out;
}

/**
 * The pieces of a document's body that no turn (a field, a list's item) holds: each list item or
 * clause line whole, and each sentence of the other lines (a line with no sentence's end is one),
 * headings and tag lines aside. Each is a turn without a label (`labelEnd` is `first - 1`).
 */
export function proseSentences(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  turns: readonly Turn[],
  headings: ReadonlySet<number>,
  /** Units kept whatever (a table, markup, a document's structure): their lines are no pieces. */
  kept: Uint8Array,
): Turn[] {
  const inTurn = new Uint8Array(units.length);
  for (const t of turns) inTurn.fill(1, t.first, t.last + 1);
  const out: Turn[] = [];
  let item: Turn | undefined;
  for (const [first, last] of lines) {
    const gap = text.slice(first > 0 ? (units[first - 1] as Unit).end : 0, (units[first] as Unit).word);
    // An item's wrapped or indented tail, right under it, is the item's ("1. Soften the onions ...,"
    // over "   stirring now and then ...").
    if (item && !inTurn[first] && !BLANK_LINE.test(gap) && /\n[ \t]+$/.test(gap)) {
      if (!ITEM_MARKER.test(wordOf(text, units, first))) {
        item.last = last;
        continue;
      }
    }
    item = undefined;
    if (inTurn[first] || headings.has(first) || kept[first]) continue;
    const line = text.slice((units[first] as Unit).word, (units[last] as Unit).end);
    // A Markdown heading or one in capitals goes only over nothing (select.ts dropEmptyHeaders).
    if (!line.trim() || TAG_LINE.test(line) || (last - first < HEADING_MAX_WORDS && MARKED_HEADING.test(line)))
      continue;
    if (ITEM_MARKER.test(wordOf(text, units, first))) {
      // A marker alone (a quoted blank line's ">>") is no piece.
      if (last === first) continue;
      item = { first, labelEnd: first - 1, last };
      out.push(item);
      continue;
    }
    let start = first;
    for (let i = first; i <= last; i++) {
      const word = wordOf(text, units, i);
      const ends =
        i === last ||
        (SENTENCE_END.test(word) &&
          !ABBREVIATION.test(word) &&
          SENTENCE_START.test(wordOf(text, units, i + 1)) &&
          !(ORDINAL_DAY.test(word) && MONTH_NAME.test(wordOf(text, units, i + 1))));
      if (!ends) continue;
      out.push({ first: start, labelEnd: start - 1, last: i });
      start = i + 1;
    }
  }
  return out;
}

/**
 * What a document says to fill space: a report's framing ("This report summarises ..."), an offer
 * of help, thanks and sign-offs ("Please let me know if ...", "Thank you for ..."). English.
 */
const BOILERPLATE =
  /^["'([]?(?:this (?:report|document|memo|note|email|letter|summary|update|newsletter|page|section|policy|notice|agreement|spec(?:ification)?) (?:summari[sz]es|sets out|describes|covers|provides|outlines|explains|gives|is (?:intended|meant|a summary))|(?:the )?purpose of this|please (?:let (?:me|us) know|do not hesitate|don't hesitate|feel free|reach out|get in touch)|(?:do not|don't) hesitate|feel free|if you have any (?:questions|concerns|comments)|(?:many )?thanks?(?: you)? (?:for|again|to|all|everyone)|(?:we|i) (?:really |greatly )?appreciate your (?:patience|understanding|co-?operation|support)|(?:kind|best|warm|many) (?:regards|wishes)|(?:i|we) hope (?:this|you|that)|hope this helps|as (?:always|mentioned|discussed|noted)\b|for more (?:information|details)|(?:i|we) look forward|looking forward|welcome to (?:this|our|the)|(?:both|all|the) (?:parties|signatories) (?:have|has) read)/iu;

/**
 * Thanks, hopes and wishes: a capitalised word in them names a place or a firm, no fact ("Thank you
 * for choosing Atlantis Air.", "We wish you a pleasant journey and hope you enjoy your stay in
 * Lisbon!"), where one in an offer of help names whom to ask ("please get in touch with Dr Patel").
 * A baggage email at keep 0.33 kept its wishes and lost the sentence of its flight, date and time
 * (session 41): "Lisbon" read as a name made them a fact.
 */
const PLEASANTRY =
  /^["'([]?(?:(?:many )?thanks?(?: you)? (?:for|again)|(?:we|i) (?:really |greatly )?appreciate your (?:patience|understanding|co-?operation|business|custom)|(?:i|we) hope (?:you|this)|(?:we|i) wish (?:you|everyone|all of you)|(?:i|we) look forward|looking forward|(?:kind|best|warm|many) (?:regards|wishes))\b/iu;

/** Boilerplate in English, or a notice's courtesy in another language (courtesy.ts). */
const isBoilerplate = (sentence: string) => BOILERPLATE.test(sentence) || FOREIGN_COURTESY.test(sentence);

/** A deadline or a time bound ("by 4 December", "no later than", "due", "deadline"). */
const DEADLINE =
  /\b(?:by|before|until|no later than|within|due|deadline|expires?|ends?)\b[^.!?]{0,30}\d|\bdeadline\b|\bdue\b/iu;
/** A decision or an action said in the sentence ("we decided", "agreed", "will not", "must"). */
const DECISION =
  /\b(?:decided|agreed|approved|rejected|resolved|confirmed|(?:re-?)?elected|appointed|voted|carried|defeated|will (?:not )?\w+|won't|must|shall|required|postponed|cancel+ed|moved|owner|assigned|action)\b/iu;
/**
 * A meeting's procedure, said whole: the last minutes approved, the hour it opened or closed, the
 * apologies noted. Minutes kept "Minutes of the 2024 AGM were approved without changes." and "The
 * meeting closed at 11:40." (a figure and a decision each) and lost "Priya Sandhu was elected
 * Treasurer" (session 40, lead's e). Only the sentence that says nothing else: "closed at 9 pm; next
 * meeting 5 May" keeps its worth.
 */
const PROCEDURE =
  /^(?:the[ \t]+)?(?:minutes[ \t]+of[ \t]+(?:the[ \t]+)?(?:last|previous|\d{4})?[^.!?;]{0,40}?(?:were|was)[ \t]+(?:approved|agreed|accepted|signed|confirmed)(?:[ \t]+as[ \t]+(?:a[ \t]+)?(?:true|correct|accurate)[ \t]+record)?(?:[ \t]+without[ \t]+(?:any[ \t]+)?(?:changes?|amendments?|corrections?))?|(?:the[ \t]+)?meeting[ \t]+(?:was[ \t]+)?(?:opened|closed|ended|finished|adjourned)(?:[ \t]+at[ \t]+\d{1,2}(?:[:.]\d{2})?(?:[ \t]?[ap]\.?m\.?)?)?|apologies[ \t]+(?:were[ \t]+)?(?:received|noted)(?:[ \t]+from[ \t]+[^.!?;]{1,60})?)[ \t]*[.!]?$/iu;

/** A sentence that forbids, after any list marker: "Do not stop apixaban ...", "Never ...", "Avoid ...". */
const PROHIBITION =
  /^(?:\S+[ \t]+)?(?:do not|don['’]t|never|avoid|must not|may not|shall not|you must not|stop (?:taking|using|eating|driving|giving))\b/iu;
/**
 * An order to the reader, its list marker gone: a capitalised verb (no closed-class word, none in
 * -ing or -ed) opening the sentence, after a "Please", with a particle, then its object's determiner
 * or pronoun: "Label all clothing with ...", "Switch off the electricity", "Keep her on the lead",
 * "Call us". A packing list's and a leaflet's orders hold no figure, and weighed no more than a
 * slogan: "- Label all clothing with your child's name" went at keep 0.5 while "We can't wait to
 * welcome your child" stayed (sessions 38-39, F10).
 */
const ORDER =
  /^["'(]?(?:[Pp]lease[ \t]+)?(\p{Lu}\p{Ll}{2,})(?<!ing|ed)(?:[ \t]+(?:off|on|up|out|down|away|back|in))?[ \t]+(?:the|a|an|all|any|every|each|your|his|her|their|its|this|that|these|those|some|it|them|us|him|me)(?![\p{L}'’-])/u;
const ordersReader = (sentence: string) => {
  const verb = ORDER.exec(sentence)?.[1];
  return verb !== undefined && !isClosedClass(verb, true) && !FUNCTION_WORDS.has(bare(verb));
};
/** A change marked as such: a medicine list's "(NEW)", "STOPPED", a record's "started on", "switched to". */
const CHANGED =
  /\((?:new|stopped|changed|increased|reduced|started)\)|\b(?:NEW|STOPPED|CHANGED)\b|\b(?:started on|switched to|increased to|reduced to|changed to|replaced by)\b/u;
/** A number or a date in figures. */
const FIGURE = /\d/;
/** A name inside a sentence: a capitalised word after another word, not after a sentence's end ("only Marek knows"). */
const NAMED = /(?<![.!?:]["')\]]*)[ \t(]\p{Lu}\p{Ll}+/u;

/**
 * A piece or a heading without the list item's or clause's marker opening it ("6.2", "-", "2."):
 * the marker is no fact of it and names nothing. A diary's date ("12.03.") stays: it is one.
 */
function withoutMarker(line: string): string {
  return line.replace(/^\S+[ \t]+(?=(\S))/u, (m, next: string) =>
    ITEM_MARKER.test(m.trim()) && !DAY_MONTH.test(m.trim()) && !COUNT_OPENING.test(`${m.trim()} ${next}`) ? '' : m,
  );
}

/**
 * A bare whole number before a word in lower case opens a quantity, not a list: an ingredient's
 * "2 lemons", "3 tablespoons olive oil" read as "lemons", and worth no more than "Salt and black
 * pepper" (session 37, a recipe's ingredients went first at keep 0.33).
 */
const COUNT_OPENING = /^\d{1,3} \p{Ll}/u;

/** How much more a sentence holding a fact of each kind is worth than one holding none. */
const FACT_WORTH = 1;
/**
 * How many kinds of fact count in one sentence: they overlap ("Members must not bring glass bottles"
 * is a decision, a negation, a constraint and a prohibition at once), and uncapped, a house rule
 * outranked the fee a membership is about even as the fee led its section (session 35).
 */
const FACT_KINDS_MAX = 3;
/** How much each sign of a key fact (`salienceCues`) multiplies a piece's worth by, past 1. */
const SALIENCE_WORTH = 1;
/** What a sentence of boilerplate is worth, against 1 for any other. */
const BOILERPLATE_WORTH = 0.2;

/**
 * A sum of money: a currency's sign or code next to a figure ("EUR 1,650", "£1,250", "$40",
 * "4.5 pence", "300 euros", "48.2 million"). What a contract, an offer, a policy or a report is
 * mostly about.
 */
const MONEY =
  /(?:[$£€¥]|\b(?:EUR|USD|GBP|CHF|JPY|CAD|AUD|NZD|INR|SEK|NOK|DKK|PLN|CZK|HUF|ZAR)\b)[ \t]?\d|\d(?:[\d,.]*\d)?[ \t]?(?:[$£€]|\b(?:EUR|USD|GBP|CHF|euros?|dollars?|pounds?|pence|cents?)\b)|\b\d+(?:\.\d+)?[ \t]?(?:million|billion|bn)\b/u;
/**
 * A status or a verdict given: "Overall status is AMBER", "The project is on track", "rated Good".
 * Not an "Overall, the team is happy" nor the "at risk" of "patients at risk of falls" (re-read of
 * session 35): the verdict's word is a status's name, and "at risk" is said of something.
 * A report's one-line answer to "how is it going?".
 */
const VERDICT =
  /\b(?:status|verdict|outcome|rating)\b[^.!?]{0,20}?\b(?:is|was|are|remains?|stays?|rated|now)\b|\b(?:RED|AMBER|GREEN)\b|\b(?:on|off) track\b|\b(?:is|are|was|were|remains?|stays?|now)\s+at risk\b|\b(?:behind|ahead of|on) schedule\b/u;
/**
 * A figure that moved ("rises from EUR 300 to EUR 450", "fell to GBP 3.1 million", "up 7%",
 * "slipped by one week", "moved from 4 November to 18 November"), or a rule that takes effect ("From 1 April 2027, every employee ..."):
 * what changed, which a reader of a report or a memo looks for first. Not a noun after its article
 * ("a rose", "eye drops", "the falls", "a risk of falls"), nor a line opening "From Marek" or "From this point" (a
 * month's name or "this" / "next" then a day, week, month: re-read of session 35).
 */
const MOVED =
  /(?<!\b(?:a|an|the|of|eye|ear|nose|cough|water|Niagara|Victoria)[ \t]+)\b(?:rises?|rose|risen|raised|falls?|fell|fallen|slip(?:s|ped)?|grew|grows?|increase[sd]|decrease[sd]|drop(?:s|ped)|doubled|halved|cut to|moved|postponed|delayed|pushed back|brought forward)\b|\b(?:up|down) \d[\d.,]*[ \t]?(?:%|per ?cent)|^(?:from|as of|starting|effective(?: from)?|with effect from)[ \t]+(?:\d|(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|today|tomorrow|(?:next|this)[ \t]+(?:week|month|year|term|quarter|(?:mon|tues|wednes|thurs|fri|satur|sun)day))\b)/iu;

/**
 * A decision bound to a condition: "the board approved the project, on condition that the bank loan
 * is agreed at a rate below 6%", "agreed to accept the quote, provided that the grant is confirmed".
 * What was decided and what it hangs on: minutes' key fact. Ranked as any decision, it went at keep
 * 0.5 while "There was no other business" stayed (session 37).
 */
const CONDITIONAL =
  /\b(?:on (?:the )?condition(?: that)?|provided(?: that)?|providing(?: that)?|subject to|as long as|so long as|unless)\b/iu;
const conditionalDecision = (sentence: string) =>
  CONDITIONAL.test(sentence) && (DECISION.test(sentence) || recordsDecision(sentence));

/** What a piece's place says about it: the first under its heading, sharing a word with that heading. */
export interface PiecePlace {
  /** The first piece under its heading (or of the text): a section's lead says what the section is about. */
  lead?: boolean;
  /** The heading the piece sits under ('' for none). */
  heading?: string;
}

/**
 * The pieces that lead their section: the first under each heading (the title's section and the
 * text before any heading included), past any framing or sign-off ("This document describes the
 * incident ..."): under "2. Rent", "2.1 The rent is EUR 1,650 ..."; under "What you should do",
 * "Stop using the heater immediately". `bodies[k]` is piece k's text, `sections[k]` its heading
 * (`pieceHeadings`).
 */
export function sectionLeads(
  bodies: readonly string[],
  sections: readonly string[],
  /** Pieces that are their section's heading (a title on a field's line): no lead of it. */
  heads: (k: number) => boolean = () => false,
): Set<number> {
  const leads = new Set<number>();
  let led = false;
  bodies.forEach((body, k) => {
    if (k === 0 || sections[k] !== sections[k - 1]) led = false;
    // A title read as a field ("PRODUCT RECALL: BrightHome 2000W Fan Heater") took the lead of its
    // own section, and the sentence under it that states what the notice is for ("BrightHome Ltd is
    // recalling its 2000W Fan Heater, model FH-2000, ...") was read as no lead (session 36).
    if (led || heads(k) || isBoilerplate(body)) return;
    leads.add(k);
    led = true;
  });
  return leads;
}

/** How many content stems of a title a sentence names, past which it speaks of the titled thing. */
const TITLE_NAMED_MIN = 2;

/**
 * The piece that states what a titled notice is for: the first lead (`sectionLeads`) in the title's
 * section that names the titled thing (two of the title's content words at least): "Kiddo Toys is
 * recalling its Stacking Rings, model SR-12, because ..." under "SAFETY RECALL: Kiddo Stacking Rings,
 * model SR-12". Long, it went whole at keep 0.33 while the headings' repeats and a slogan ("At Kiddo,
 * children's safety comes first") stayed (session 37). -1 when there is none.
 */
export function titleLead(
  bodies: readonly string[],
  sections: readonly string[],
  leads: ReadonlySet<number>,
  title: string,
): number {
  const named = contentStems(withoutMarker(title));
  for (let k = 0; k < bodies.length && sections[k] === sections[0]; k++) {
    if (!leads.has(k)) continue;
    let n = 0;
    for (const s of contentStems(bodies[k] as string)) if (named.has(s)) n++;
    return n >= TITLE_NAMED_MIN ? k : -1;
  }
  return -1;
}

/**
 * A content word's stem, near enough to match "Fees" with "fee", "Deposit" with "deposits",
 * "recall" with "recalling": its first five letters once a plural's or a verb's ending is off.
 */
const stemOf = (w: string) => {
  const b = bare(w);
  return (b.length > 4 ? b.replace(/(?:ing|ed|es|s)$/u, '') : b).slice(0, 5);
};

/** The content words of a line as stems (no closed-class or stock function word, none shorter than 3). */
function contentStems(line: string): Set<string> {
  const out = new Set<string>();
  for (const w of line.split(/\s+/)) {
    const b = bare(w);
    if (b.length < 3 || /^\d/.test(b) || FUNCTION_WORDS.has(b) || isClosedClass(w, true)) continue;
    out.add(stemOf(w));
  }
  return out;
}

/**
 * How many signs of a document's key facts a piece shows, beside the kinds of fact it holds: it
 * leads its section, names what its heading names ("2. Rent" over "The rent is EUR 1,650"), states
 * a sum of money, a status or verdict, a figure that moved, or a decision bound to a condition. Ranked by novelty and kinds of fact
 * alone, a lease kept "No pets" and lost its rent, a status report lost "Overall status is AMBER",
 * a recall notice lost "Stop using the heater immediately" (session 35).
 */
export function salienceCues(sentence: string, place: PiecePlace = {}): number {
  let cues = 0;
  if (place.lead) cues++;
  if (place.heading) {
    const named = contentStems(withoutMarker(place.heading));
    for (const s of contentStems(sentence))
      if (named.has(s)) {
        cues++;
        break;
      }
  }
  if (MONEY.test(sentence)) cues++;
  if (VERDICT.test(sentence)) cues++;
  if (MOVED.test(sentence)) cues++;
  if (conditionalDecision(sentence)) cues++;
  return cues;
}

/**
 * What a piece is worth, times its novelty, as it competes to stay: 1, plus `FACT_WORTH` for each
 * kind of fact it holds (a number or a date, a deadline, a decision or an action, a negation, a
 * constraint or an instruction, a plan's change), times 1 plus `SALIENCE_WORTH` for each sign that
 * it is one of the document's key facts (`salienceCues`: a section's lead, its heading's subject,
 * money, a verdict, a change); or `BOILERPLATE_WORTH` for a report's framing or an offer of help
 * that holds no fact. Kinds of fact alone could not tell a key fact from a minor one, and the cues
 * are counted as a factor, not as more kinds: added, a lead with one fact still lost to a house rule
 * with three (18 documents, key facts kept at keep 0.33 / 0.5: none 48 / 72 of 91, added 52 / 74, a factor 58 / 75).
 */
export function sentenceWorth(piece: string, place: PiecePlace = {}): number {
  const sentence = withoutMarker(piece);
  if (PROCEDURE.test(sentence.trim())) return BOILERPLATE_WORTH;
  let facts = 0;
  if (FIGURE.test(sentence) || sentence.split(/\s+/).some((w) => SPELLED_NUMBER.test(bare(w)))) facts++;
  if (DEADLINE.test(sentence)) facts++;
  if (DECISION.test(sentence) || recordsDecision(sentence)) facts++;
  if (holdsNegation(sentence)) facts++;
  if (isConstraint(sentence) || isInstruction(sentence) || ordersReader(sentence)) facts++;
  if (announcesPlan(sentence) || CHANGED.test(sentence)) facts++;
  // A drug, a test's result, what to avoid (clinical.ts): a clinical fact, whatever the model says.
  if (clinicalSpans(sentence).length) facts++;
  // A prohibition ("Do not take ibuprofen", "Never leave ...", "Avoid heavy alcohol") weighs as two.
  if (PROHIBITION.test(sentence)) facts += 2;
  // A capitalised word in a courtesy names no one where every noun has a capital ("Mit freundlichen
  // Grüßen", courtesy.ts).
  const named = NAMED.test(sentence);
  if (
    !facts &&
    (FOREIGN_COURTESY.test(sentence) || PLEASANTRY.test(sentence) || (!named && BOILERPLATE.test(sentence)))
  )
    return BOILERPLATE_WORTH;
  if (named) facts++;
  return (1 + FACT_WORTH * Math.min(facts, FACT_KINDS_MAX)) * (1 + SALIENCE_WORTH * salienceCues(sentence, place));
}

/**
 * Whether a piece must never go whole: it names an allergy or an allergen (as a chat's turn naming
 * one never goes), or sits under a heading that does ("Allergies" over "Penicillin (rash)."), it
 * advises staying off something ("avoid NSAIDs such as ibuprofen"), or it is a standing order.
 */
export const holdsSafetyFact = (sentence: string, heading = ''): boolean =>
  ALLERGY.test(sentence) ||
  ALLERGY.test(heading) ||
  namesAllergen(sentence) ||
  advisesAvoiding(sentence) ||
  STANDING_ORDER.test(sentence);

/**
 * An order to the reader that holds whatever happens, after any list marker: "Do not stop apixaban
 * without ...", "Never leave the gas on", "Always tell your dentist ...". A discharge summary's
 * instructions went whole at keep 0.5 as their drug was said before (session 34).
 */
const STANDING_ORDER = /^(?:\S{1,4}[ \t]+)?(?:[Dd]o not|[Dd]on['’]t|[Nn]ever|[Aa]lways)[ \t]+\p{Ll}/u;

/** A sentence that opens on what the sentence before it said ("It is not paid to contractors."). */
const ANAPHOR = /^["'(]?(?:It|Its|This|That|These|Those|They|Their|Them|He|She|His|Her|Such|Both|Either|Neither)\b/u;

/**
 * Which piece each piece leans on: a sentence opening with a pronoun leans on the sentence before it
 * in its paragraph (alone, "It is not paid to contractors." says nothing true: it was the allowance),
 * and a line ending in a colon ("The Landlord agrees:") is over the list items right under it.
 * `antecedent[k]` is the piece `k` leans on, or -1; `items[k]` the items under a lead-in.
 */
export function pieceLinks(text: string, units: readonly Unit[], pieces: readonly Turn[]) {
  const antecedent = new Int32Array(pieces.length).fill(-1);
  const items: number[][] = pieces.map(() => []);
  const between = (a: Turn, b: Turn) => text.slice((units[a.last] as Unit).end, (units[b.first] as Unit).word);
  pieces.forEach((p, k) => {
    const prev = pieces[k - 1];
    if (!prev || BLANK_LINE.test(between(prev, p))) return;
    if (ANAPHOR.test(wordOf(text, units, p.labelEnd + 1))) antecedent[k] = k - 1;
  });
  pieces.forEach((p, k) => {
    if (!/:["')\]*_]*$/.test(wordOf(text, units, p.last))) return;
    for (let j = k + 1; j < pieces.length; j++) {
      const q = pieces[j] as Turn;
      if (BLANK_LINE.test(between(pieces[j - 1] as Turn, q))) break;
      if (!ITEM_MARKER.test(wordOf(text, units, q.first))) break;
      (items[k] as number[]).push(j);
    }
  });
  return { antecedent, items };
}

/**
 * The pieces that go with what they lean on (`pieceLinks`): a pronoun's sentence whose antecedent
 * went, a lead-in whose every item went. Adds them to `gone`, in place; never a piece that `stays`
 * (an allergy, a standing order): "He is allergic to penicillin and to latex gloves." went with the
 * sentence before it, which came back later while the budget was already spent (re-read of session
 * 34, a home visit's note at keep 0.5).
 */
export function settleLinks(
  links: ReturnType<typeof pieceLinks>,
  gone: Set<number>,
  stays: (k: number) => boolean = () => false,
): void {
  const { antecedent, items } = links;
  for (let k = 0; k < antecedent.length; k++) {
    const a = antecedent[k] as number;
    if (a >= 0 && gone.has(a) && !stays(k)) gone.add(k);
  }
  items.forEach((under, k) => {
    if (under.length && under.every((j) => gone.has(j)) && !stays(k)) gone.add(k);
  });
}

/** A heading in Markdown or in capitals, as `dropEmptyHeaders` (select.ts) reads them, near enough. */
const MARKED_HEADING = /^(?:#{1,6}[ \t]+\S.*|[^\p{Ll}\n]*\p{Lu}{3}[^\p{Ll}\n]*)$/u;

/**
 * The heading each piece sits under ('' before any): a line under "Allergies" says what the patient
 * must not have, whatever its words ("Penicillin (rash).").
 */
export function pieceHeadings(
  text: string,
  units: readonly Unit[],
  lines: readonly [number, number][],
  pieces: readonly Turn[],
  headings: ReadonlySet<number>,
): string[] {
  const out: string[] = [];
  let heading = '';
  let k = 0;
  for (const [first, last] of lines) {
    const line = text.slice((units[first] as Unit).word, (units[last] as Unit).end);
    if (headings.has(first) || (last - first < HEADING_MAX_WORDS && MARKED_HEADING.test(line))) heading = line;
    while (k < pieces.length && (pieces[k] as Turn).first <= last) {
      out.push(heading);
      k++;
    }
  }
  return out;
}
