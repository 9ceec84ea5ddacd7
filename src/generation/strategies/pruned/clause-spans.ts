import type { ProtectedSpan } from '../../protect.ts';

/**
 * Words whose loss turns a sentence around, beyond the negations and conditions lexicon.ts locks
 * (review 3): what a preference is for, a name's particle, the kept half of "X, not Y", a word that
 * says a thing went or ends, a street address's street word, and, per negation, what to do after a
 * prohibition and what a denial is about (its subject). lexicon.ts phraseSpans adds them to its
 * spans; it hands in how it reads a word and a verb's object, so this file imports none of it.
 */
export interface ClauseReader {
  /** Whether a word is closed-class glue (lexicon.ts isClosedClass, not opening a sentence). */
  closed: (word: string) => boolean;
  /** Where the object of the verb (or the noun) ending at `from` ends (lexicon.ts negatedEnd). */
  objectEnd: (text: string, from: number) => number;
}

/**
 * A preference said of someone, in the third person, as a memory writes it: "User prefers female
 * dentists", "She dislikes loud bars". Its object is the fact: thinned, "User prefers female
 * dentists. Previous dentist: Tandartspraktijk Oudegracht (moved away)." read "prefers
 * Tandartspraktijk Oudegracht moved", the old practice as the one preferred (review 3).
 */
const PREFERENCE =
  /(?<![\p{L}\p{N}'’-])(?:prefers|preferred|dislikes|hates|loves|likes|avoids|enjoys|favou?rs)(?![\p{L}\p{N}'’-])/giu;

/**
 * The lower-case particles of a person's name, as regex alternatives: Dutch, German, French, Italian,
 * Spanish, Portuguese, Arabic, Scandinavian. One list for the pruner (here) and the telegraphic
 * style (query/telegraph.ts, which adds "of" and "the" for the names of places and firms).
 */
export const NAME_PARTICLES =
  'de|van|von|der|den|da|di|du|del|della|des|le|la|al|el|bin|ibn|ter|ten|do|dos|das|zu|af|y';

/**
 * A name's lower-case particle between a capitalised word (a first name, a title) and the surname:
 * "Dr. de Vries", "Sanne de Vries", "Ursula von der Leyen", "Leonardo da Vinci", "Hassan bin Ali".
 * Locked, or "Dr. de Vries" read "Dr. Vries", another name (review 3).
 */
const NAME_PARTICLE = new RegExp(
  String.raw`(?<=(?:^|[\s(])\p{Lu}[\p{L}'’-]*\.?[ \t]+)(?:(?:${NAME_PARTICLES})[ \t]+){1,3}(?=\p{Lu}\p{Ll})`,
  'gu',
);

/**
 * A contrast that sets one thing against another: "Use my work email for the confirmation, not the
 * gmail one", "Please squash-merge, not rebase-merge". The "not" half is locked as a negation; the
 * half it is set against is the instruction itself, and went (review 3: "not the gmail one" alone
 * was left, "not rebase-merge" read as the only word on merging). Not a clause the "not" opens
 * ("Task failed, not marking upstream as stale"), nor a hedge ("not sure").
 */
const CONTRAST_NOT =
  /,[ \t]+not(?![\p{L}'’])(?![ \t]+(?:\p{L}+ing|to|be|sure|really|yet|only|just|even|always|that|because|so|if|when)(?![\p{L}'’]))/gu;
/** How many words the half before ", not" may run to and be kept (its content words). */
const CONTRAST_REACH = 10;

/** The clause a text ends with: after its last sentence end, semicolon, colon, comma or line start. */
const LAST_CLAUSE = /[^.,;:!?\n]*$/u;

/**
 * A word that says a thing is gone, ends or is due to: "Offset pagination was *removed* in v3", "The
 * label URL *expires* after 7 days", "v2 is *deprecated*", "the migration is *missing* from the PR",
 * "it will be *switched off*"; in the other languages users write in too ("Le devis Dupuis est
 * *écarté*", "storniert", "cancelado"). Thinned, the thing read as there (review 3: "(`page=`) v3",
 * "URL after 7 days", "v2 switched", "Le Dupuis"). Not "turned out": a chat's "it turned out fine"
 * ends nothing, and locking it cost LoCoMo's held-out sessions an answer at keep 0.33 (64 -> 63 of 69).
 * A place or a person gone ("Previous dentist: Tandartspraktijk Oudegracht (*moved away*)" read
 * "Tandartspraktijk Oudegracht", the old practice as the current one), and a thing that fails ("the
 * migration is missing, so ON CONFLICT *will fail in prod*" read "`ON CONFLICT`"): review 3.
 */
const ENDS_OR_GOES =
  /(?<![\p{L}\p{N}'’-])(?:moved[ \t]+(?:away|out)|passed[ \t]+away|closed[ \t]+down|fail(?:s|ed|ing)?|removed|deprecated|discontinued|expires|expired|revoked|obsolete|missing|superseded|blocker|cancell?ed|(?:écart|supprim|annul|retir|expir|abandonn)ée?s?|entfernt|gestrichen|abgesagt|storniert|abgelaufen|(?:elimin|cancel|descart|retir|caduc)ad[oa]s?|(?:eliminat|annullat|cancellat|scadut)[oaie]|verwijderd|geannuleerd|vervallen|(?:switch|turn)(?:ed|ing|s|es)?[ \t]+off|shut(?:s|ting)?[ \t]+down|phas(?:e|es|ed|ing)[ \t]+out)(?![\p{L}\p{N}'’-])/giu;

/**
 * A street address's street word after its number, with the particle before the name: "14 *rue
 * des* Acacias", "3 *calle de* Alcalá", "12 *via* Roma" (the name after it, capitalised, is locked
 * as a name). Thinned, "14 rue des Acacias" read "14 Acacias" (review 3).
 */
const STREET =
  /(?<![\p{L}\p{N}])\d{1,5}(?:[ \t]?(?:bis|ter|[a-zA-Z]))?,?[ \t]+(?:rue|avenue|av\.|boulevard|bd|place|chemin|impasse|allée|quai|route|cours|calle|avenida|plaza|paseo|camino|via|viale|piazza|corso|vicolo|rua|travessa|largo|straße|strasse|gasse|platz|allee|straat|laan|gracht|plein|street|road|lane|drive)(?:[ \t]+(?:de[ \t]+la|de[ \t]+los|de[ \t]+las|des|du|de|del|della|delle|dei|degli|di|da|do|dos|das|der|van|of|the))?(?=[ \t]+(?:l['’])?\p{Lu})/gu;

/**
 * A time limit before its date or time: "Free cancellation *until* Monday 8 Dec", "valid till 31
 * March", "open through Friday". The date is locked as a date; what runs until then is the word or
 * two before the limit, and went (review 3: "Free cancellation until Monday 8 Dec 16:30" read "Free
 * Monday 8 Dec 16:30", what ends on Monday unsaid). A month by its name, not a word that opens like
 * one ("until Margaret", "through marketing"), and "through" a number only as a day ("went through
 * 3 rounds"; re-read of session 31).
 */
const UNTIL =
  /(?<![\p{L}\p{N}'’-])(?:(?:until|till)(?=[ \t]+(?:\d|(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![\p{L}])))|through(?=[ \t]+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![\p{L}])|\d{4}-\d{2}|\d{1,2}(?:st|nd|rd|th)(?![\p{L}]))))/giu;

/**
 * A price's verb before its amount: "a no-show *costs* EUR 35", "late returns are *charged* £10".
 * Its subject and the verb say what the amount is for; thinned, "a no-show costs EUR 35" read "EUR
 * 35" (review 3).
 */
const PRICE_VERB =
  /(?<![\p{L}\p{N}'’-])(?:costs?|charged|charges)(?=[ \t]+(?:(?:of|an?|at|only|just)[ \t]+)?(?:EUR|USD|GBP|CHF|NOK|SEK|DKK|PLN|[€$£¥]|\d))/giu;

/** How many words before a time limit or a price's verb are read as what it is said of. */
const SAID_OF_WORDS = 2;

/** The content words among the last `count` words of the clause that ends at `at`. */
function clauseTail(text: string, at: number, count: number, read: ClauseReader): ProtectedSpan[] {
  const head = text.slice(Math.max(0, at - 200), at);
  const start = at - head.length + head.search(LAST_CLAUSE);
  const words = [...text.slice(start, at).matchAll(/\S+/gu)].slice(-count);
  const from = words[0] ? start + words[0].index : at;
  return contentWords(text, from, at, read);
}

/**
 * A list inside a sentence, its items numbered "(a)", "(b)", "(c)": each item is a case of its own
 * ("we may suspend your account if you have (a) stored abuse material, (b) used the service to
 * distribute malware, or (c) ..."), and one gone narrows what the sentence covers (review 4, F-07:
 * "malware" went). Each item's enumerator and its last two content words, what it is about ("abuse
 * material", "distribute malware"), before a bracket's remark: more crowded out the sentence's own
 * verb at keep 0.5.
 */
const INLINE_ENUMERATOR = /(?<=^|[ \t])\((?:[a-z]|[ivx]{1,4})\)(?=[ \t]+\S)/gu;
/** How many content words of an item of a list inside a sentence are kept, from its end. */
const ITEM_WORDS = 2;

function enumeratedItems(text: string, read: ClauseReader): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  const marks = [...text.matchAll(INLINE_ENUMERATOR)];
  for (const [k, m] of marks.entries()) {
    const next = marks[k + 1];
    const prev = marks[k - 1];
    // Two items at least within one sentence: a lone "(a)" cites a clause.
    const between = (a: RegExpMatchArray | undefined, b: RegExpMatchArray | undefined) =>
      a !== undefined && b !== undefined && !/[.!?\n]/u.test(text.slice((a.index ?? 0) + a[0].length, b.index));
    if (!between(m, next) && !between(prev, m)) continue;
    const from = m.index + m[0].length;
    const limit = between(m, next) ? (next?.index ?? text.length) : text.length;
    const item =
      /^[^.;!?\n(]*/u.exec(text.slice(from, limit))?.[0].replace(/(?:,?[ \t]+(?:and|or))?[,;]?[ \t]*$/u, '') ?? '';
    out.push({ start: m.index, end: from, kind: 'negation' });
    out.push(...contentWords(text, from, from + item.length, read).slice(-ITEM_WORDS));
  }
  return out;
}

/**
 * A short sentence that says what comes next matters: the one introducing a code block ("Check the
 * consumer group first:" over its command) and the first of an admonition ("> **Warning:** Check the
 * time first."). Review 3: once "Check" was no longer read as a name, both went whole at keep 0.5,
 * the command left with no word on what it is for, the warning with nothing to warn of. A text
 * ending on a colon is such an intro too: a document's prose is pruned apart from its code blocks.
 */
const CODE_INTRO = /(?<=^|[.!?][ \t]+|\n)[^\n.!?]{1,100}:(?=[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:```|~~~)|\s*$)/gu;
const ADMONITION =
  /(?<=(?:^|\n)[ \t>]*(?:\*\*|__)?(?:warning|caution|important|danger|attention|note|warnung|achtung|avertissement|atención|attenzione|let op)(?::(?:\*\*|__)|(?:\*\*|__)?:)[ \t]+)[^\n.!?]{1,100}[.!?]/giu;
/** How many words such a sentence may run to and be kept (its content words). */
const LEAD_REACH = 8;

function leadSentences(text: string, read: ClauseReader): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const re of [CODE_INTRO, ADMONITION])
    for (const m of text.matchAll(re))
      if ((m[0].match(/\S+/gu)?.length ?? 0) <= LEAD_REACH)
        out.push(...contentWords(text, m.index, m.index + m[0].length, read));
  return out;
}

/** How many words the clause after a prohibition's semicolon may run to and be kept (its content words). */
const AFTER_PROHIBITION_REACH = 8;

/**
 * A place or a time said first, before a comma and the prohibition it bounds: "*Inside the
 * settlement window* (23:30-00:45 UTC), do not delete the pod", "During a freeze, never deploy".
 * Without it the prohibition reads as always (review 3: "(23:30-00:45 UTC), not delete the pod").
 * The preposition, whatever its class, and the content words of a phrase of SCOPE_REACH words at most.
 */
const SCOPE_BEFORE =
  /(?:^|[.;!?\n]|\*\*)[ \t>*_]*((?:inside|outside|during|within|before|after|between|while|until|throughout|in|on|at|for)[ \t]+([^.,;:!?()\n]+?))(?:[ \t]*\([^()\n]*\))?,[ \t]+(?:(?:please|then|you)[ \t]+)?(?:(?:do|does|must|should|may|can|will|shall)[ \t]+)?$/iu;
/** How many words a place or a time said before a prohibition may run to and be kept. */
const SCOPE_REACH = 6;

/** The place or time a negation at `at` is bounded by, said before it (`SCOPE_BEFORE`). */
export function negatedScope(text: string, at: number, word: string, read: ClauseReader): ProtectedSpan[] {
  if (!SUBJECT_NEGATION.test(word)) return [];
  const before = text.slice(Math.max(0, at - 160), at);
  const m = SCOPE_BEFORE.exec(before);
  const phrase = m?.[1];
  if (!m || !phrase || (m[2]?.match(/\S+/gu)?.length ?? 0) > SCOPE_REACH) return [];
  const from = at - before.length + m.index + m[0].indexOf(phrase);
  const preposition = /^\S+/u.exec(phrase)?.[0] ?? '';
  return [
    { start: from, end: from + preposition.length, kind: 'negation' },
    ...contentWords(text, from + preposition.length, from + phrase.length, read),
  ];
}

/** The content words of `text.slice(from, end)`, each as a span. */
function contentWords(text: string, from: number, end: number, read: ClauseReader): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const w of text.slice(from, end).matchAll(/\S+/gu)) {
    // In lower case: a capitalised "From" opening the clause is glue too, not a name.
    if (read.closed(w[0].replace(/[^\p{L}\p{N}'’-]+/gu, '').toLowerCase())) continue;
    out.push({ start: from + w.index, end: from + w.index + w[0].length, kind: 'negation' });
  }
  return out;
}

/** The spans of this file's rules but those read per negation (`afterProhibition`, `negatedSubject`). */
export function clauseSpans(text: string, read: ClauseReader): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(PREFERENCE)) {
    const from = m.index + m[0].length;
    out.push({ start: m.index, end: Math.max(from, read.objectEnd(text, from)), kind: 'negation' });
  }
  for (const m of text.matchAll(NAME_PARTICLE))
    out.push({ start: m.index, end: m.index + m[0].trimEnd().length, kind: 'name' });
  for (const m of text.matchAll(CONTRAST_NOT)) {
    const head = text.slice(Math.max(0, m.index - 300), m.index);
    const start = m.index - head.length + head.search(LAST_CLAUSE);
    const words = text.slice(start, m.index).match(/\S+/g)?.length ?? 0;
    if (words && words <= CONTRAST_REACH) out.push(...contentWords(text, start, m.index, read));
  }
  for (const m of text.matchAll(STREET)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'name' });
  for (const m of text.matchAll(UNTIL)) {
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'negation' });
    out.push(...clauseTail(text, m.index, SAID_OF_WORDS, read));
  }
  for (const m of text.matchAll(PRICE_VERB)) {
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'negation' });
    out.push(...clauseTail(text, m.index, SAID_OF_WORDS, read));
  }
  out.push(...enumeratedItems(text, read));
  out.push(...leadSentences(text, read));
  // With what went, and from where, as a negated verb's object is read: "removed *the endpoint*",
  // "removed *in v3*", "missing *from the PR*" (a verb alone ran on into the next kept word: "410
  // Gone removed 429").
  for (const m of text.matchAll(ENDS_OR_GOES)) {
    const from = m.index + m[0].length;
    out.push({ start: m.index, end: Math.max(from, read.objectEnd(text, from)), kind: 'negation' });
  }
  return out;
}

/**
 * After a prohibition, the clause a semicolon or a colon joins to it: what to do instead, or why ("do not
 * delete the pod; *page the secondary and wait*", "Do not renew it from the on-call laptop; *the
 * private key lives in Vault only*"). Its content words, when it is short: thinned, the prohibition's
 * last word ran on into the next kept noun (review 3: "not renew Vault", "not delete the pod;" with
 * the secondary never paged). `at` is where the negation's sentence goes on from.
 */
export function afterProhibition(text: string, at: number, read: ClauseReader): ProtectedSpan[] {
  // A colon inside a time ("before 10:30; ...") joins nothing.
  const rest = /^(?:[^.;:!?\n]|:(?![ \t]))*([;:])[ \t]+/u.exec(text.slice(at, at + 300));
  if (!rest) return [];
  const from = at + rest[0].length;
  // After a colon, what is done instead, up to its comma: "Files are not deleted at that point:
  // *they become read-only for 90 days*, after which ..." read "not deleted at that point: 90 days"
  // (review 4, F-07).
  const clause =
    (rest[1] === ':' ? /^[^.,;:!?()\n]*/u : /^[^.;:!?()\n]*/u).exec(text.slice(from, from + 300))?.[0] ?? '';
  const words = clause.match(/\S+/g)?.length ?? 0;
  if (!words || words > AFTER_PROHIBITION_REACH) return [];
  return contentWords(text, from, from + clause.trimEnd().length, read);
}

/**
 * An English negation's subject, when it opens the clause in three words at most with a
 * determiner, before its auxiliary ("The dead-letter insert *is* not idempotent", "The cache never
 * expires", "The old key isn't valid"): what the denial is about. Not a pronoun, nor an answer's "No
 * I did not". Thinned, "1. The dead-letter insert is not idempotent."
 * read "1. The not idempotent." (review 3).
 */
const SUBJECT_BEFORE =
  /(?:^|[.;:!?()\n])[ \t]*((?:the|a|an|this|that|these|those|my|your|his|her|its|our|their)[ \t]+(?:[^\s.,;:!?()]+[ \t]+){1,2}?)(?:(?:is|are|was|were|does|do|did|has|have|had|may|might|must|can|could|should|shall|will|would)[ \t]+)?$/iu;
/** The English negations whose subject is read (not a determiner "no", which opens its own noun phrase). */
const SUBJECT_NEGATION = /^(?:not|never|\p{L}+n['’]t)$/iu;

/** The content words of the subject before an English negation at `at` (`SUBJECT_BEFORE`). */
export function negatedSubject(text: string, at: number, word: string, read: ClauseReader): ProtectedSpan[] {
  if (!SUBJECT_NEGATION.test(word)) return [];
  const before = text.slice(Math.max(0, at - 120), at);
  const m = SUBJECT_BEFORE.exec(before);
  const subject = m?.[1];
  if (!m || !subject) return [];
  const from = at - before.length + m.index + m[0].indexOf(subject);
  return contentWords(text, from, from + subject.length, read);
}
