import type { ProtectedSpan } from '../../protect.ts';
import { actionSpans } from './actions.ts';
import { changeSpans } from './changes.ts';
import { afterProhibition, type ClauseReader, clauseSpans, negatedScope, negatedSubject } from './clause-spans.ts';
import { clinicalSpans } from './clinical.ts';
import { CURRENCY, quantitySpans } from './quantities.ts';
import { type RomanceLanguage, romanceLanguageAt } from './romance-language.ts';
import type { Turn, Unit } from './units.ts';

/**
 * What the pruner knows of English without a model: function words, small talk, phrases an answer
 * needs whole, and the turns that carry nothing to answer from.
 */

/**
 * The closed-class words of English: determiners, pronouns, auxiliaries, prepositions and
 * conjunctions that only join, interjections and discourse fillers. A reader restores them; the
 * telegraphic style (src/inference/query/telegraph.ts) drops them and the pruner ranks them last.
 * Kept out on purpose: negations, prepositions of time and place that change a fact (before,
 * after, until, without), clause openers with meaning (who, how, where) and the -ing forms of
 * the auxiliaries, which are main verbs more often than not ("having picnics", "doing great").
 */
export const CLOSED_CLASS = new Set(
  [
    // determiners and quantifying determiners
    'a an the this that these those some any each every either another such',
    // personal, possessive and reflexive pronouns, with their contractions
    'i me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its itself',
    'we us our ours ourselves they them their theirs themselves',
    "i'm i've i'll i'd you're you've you'll you'd he's he'd he'll she's she'd she'll it's it'd it'll",
    "we're we've we'll we'd they're they've they'll they'd that's there's here's what's",
    // auxiliaries, copula, modals
    'am is are was were be been do does did have has had will would shall should can could',
    'might must',
    // prepositions and particles that only join
    // ("than" stays: "better than last year", "fewer than half" say what is compared)
    'of in on at to for with by from into onto upon as about',
    // coordinating and common subordinating conjunctions ("if" stays: without it a condition
    // reads as a fact, "If the primary does not answer, page" -> "primary not answer page")
    // ("or" stays: without it alternatives read as both, "replacement or refund" -> "replacement refund")
    'and but so then because while though although whereas',
    // interjections and discourse fillers
    'oh ah uh um hmm wow hey hi hello yeah yep yes ok okay haha lol well just really very quite',
    'actually basically literally totally definitely honestly seriously anyway',
  ]
    .join(' ')
    .split(' '),
);

/** Lowercased word without surrounding punctuation, curly apostrophes straightened. */
export const bareWord = (w: string) =>
  w
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, '');

export { TITLES } from '../../protect.ts';
export { NAME_PARTICLES } from './clause-spans.ts';

/** What "every" or "each" makes recurring: a time of day, a weekday, a season, a unit of time. */
export const RECURRING =
  /^(?:other|day|night|morning|evening|afternoon|week|weekend|fortnight|month|quarter|year|decade|season|semester|term|summer|winter|spring|autumn|fall|monday|tuesday|wednesday|thursday|friday|saturday|sunday|hour|minute|second|time)s?$/;

/** Fillers that say how someone is after a subject or a form of "be" ("she okay", "I'm well"). */
const STATE_WORD = /^(?:ok|okay|well|alright)$/;
const STATE_BEFORE =
  /^(?:she|he|they|you|we|i|she's|he's|they're|you're|we're|i'm|is|are|am|was|were|be|been|being|feel|feels|felt)$/;

/**
 * Whether a whitespace-delimited word goes: a closed-class word, unless it is capitalised inside
 * a sentence ("May" the month, "US"), carries a digit, or is the "am" of a time ("before 9 am":
 * after a number it is no verb, and without it the hour may read as evening), or the "every" of a
 * recurrence ("every Tuesday").
 */
export function isClosedClass(word: string, sentenceStart: boolean, previous = '', next = ''): boolean {
  if (/\d/.test(word)) return false;
  const b = bareWord(word);
  if (!b || !CLOSED_CLASS.has(b)) return false;
  if (b === 'am' && /\d[.,:]?$/.test(previous)) return false;
  // "every Tuesday", "each week": how often, which "Tuesday" alone does not say.
  if ((b === 'every' || b === 'each') && RECURRING.test(bareWord(next))) return false;
  // "Is she okay now?", "I'm well": how someone is, an adjective, not a filler (review 4, F-21: the
  // question read "now?").
  if (STATE_WORD.test(b) && STATE_BEFORE.test(bareWord(previous))) return false;
  if (!sentenceStart && b !== 'i' && !b.startsWith("i'") && /^[^\p{L}]*\p{Lu}/u.test(word)) return false;
  return true;
}

// Function words, fillers and stock reactions: what a reader restores without help. Content words
// (everything else) get a bonus, so selection spends the budget on what carries facts.
export const FUNCTION_WORDS = new Set(
  (
    'a an the of in on at to for and or but nor yet so if then than that this these those there here it ' +
    "its it's itself i i'm i've i'll i'd me my mine myself you you're you've you'll you'd your yours " +
    "yourself he he's him his himself she she's her hers herself we we're we've we'll our ours ourselves " +
    "they they're they've their theirs them themselves who whom whose which what when where why how " +
    'whatever whenever is are was were be been being am do does did doing done have has had having will ' +
    'would shall should can could may might must not no yes as with by from into onto about above below ' +
    'over under after before during through between among up down out off again further once just very ' +
    'really too also only even still quite so such much many more most some any all both each every ' +
    'either neither other another own same few lot lots kind sort thing things way ways oh wow yeah hey ' +
    'hi hello thanks thank please okay ok um uh well like get got getting go going gone went make made ' +
    'makes making know knew think thought say said tell told see saw seen look looks looking feel feels ' +
    'felt want wants wanted really definitely totally absolutely actually probably maybe sure right great ' +
    'good nice awesome amazing cool glad happy sounds sound super pretty always never ever sometimes ' +
    "often because while although though since until unless whether let's let that's what's it'd there's " +
    "here's can't don't didn't doesn't isn't aren't wasn't weren't won't wouldn't couldn't shouldn't " +
    "haven't hasn't hadn't"
  ).split(' '),
);

export const bare = (w: string) =>
  w
    .toLowerCase()
    .replace(/[’]/g, "'")
    .replace(/[^\p{L}\p{N}']/gu, '');

// Stock phrases of small talk: a turn made only of these (and names) carries nothing to answer from.
export const SMALL_TALK: ReadonlySet<string> = new Set(
  (
    'hey hi hello hiya yo morning evening good great awesome amazing wow cool nice thanks thank you so much ' +
    'really glad happy to hear that sounds lovely fun see talk later bye goodbye care take catch up soon ' +
    'yeah yes yep sure ok okay totally absolutely agreed agree same here too me definitely of course ' +
    'congrats congratulations love it always anytime no problem welcome hope well doing how are you been ' +
    'what about and the a it is was that this i we for with ' +
    // A greeting's addressee ("morning all", "hi everyone", "hey folks"; review: a Slack export's
    // "morning all" was kept at 0.33 while the turn saying the deploy moved went).
    'all everyone everybody folks guys'
  ).split(' '),
);

const wordsOf = (s: string) =>
  (
    s
      .toLowerCase()
      .replace(/[’]/g, "'")
      .match(/[\p{L}\p{N}']+/gu) ?? []
  ).map((w) => w.replace(/'s$/, ''));

/**
 * Turns to drop whole before pruning: small talk (every word a greeting, thanks, agreement or a
 * name, at most 12 words, no number), and near-repeats (content words at least 80 % the same as an
 * earlier turn's). Turns with a photo, a number or a date are never dropped.
 */
export function lowInformationTurns(text: string, units: readonly Unit[], turns: readonly Turn[]): Set<number> {
  return lowInformationTexts(
    turns.map((t) => text.slice((units[t.labelEnd + 1] as Unit).word, (units[t.last] as Unit).end)),
  );
}

/**
 * The same test on the turns' texts, without their labels (a transcript's cue lines, say), with
 * `talk`: more words that count as small talk where the texts come from (a call's "loud and clear").
 */
export function lowInformationTexts(bodies: readonly string[], talk: ReadonlySet<string> = new Set()): Set<number> {
  const out = new Set<number>();
  const seen: Set<string>[] = [];
  bodies.forEach((body, k) => {
    const words = wordsOf(body);
    if (/\d|\[shares|https?:/.test(body)) {
      seen.push(new Set(words.filter((w) => !FUNCTION_WORDS.has(w))));
      return;
    }
    const names = new Set(
      (body.match(/\b[\p{Lu}][\p{Ll}]+/gu) ?? []).map((w) => w.toLowerCase()).filter((w) => !SMALL_TALK.has(w)),
    );
    const smallTalk =
      words.length > 0 && words.length <= 12 && words.every((w) => SMALL_TALK.has(w) || talk.has(w) || names.has(w));
    const content = new Set(words.filter((w) => !FUNCTION_WORDS.has(w) && !SMALL_TALK.has(w)));
    const repeat =
      content.size >= 3 &&
      seen.some((prev) => {
        let shared = 0;
        for (const w of content) if (prev.has(w)) shared++;
        return shared / content.size >= 0.8;
      });
    if (smallTalk || repeat) out.add(k);
    seen.push(content);
  });
  return out;
}

const NUMBER_WORD =
  '(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|a couple of|a few|several|a dozen|half a|a half)';

/**
 * A negation: without it a kept clause says the opposite ("shops do not take cards" is not "shops
 * take cards"). "no" is left out: mostly an answer or a reaction ("No worries!").
 */
const NEGATIONS = [
  String.raw`not|never|nothing|nobody|nowhere|neither|nor|cannot|without|\p{L}+n['’]t`,
  // The same in the languages users write memories in most after English (review: German "keine
  // Nüsse" read "Nüsse", "nicht stornieren" went): German, Dutch, French, Italian, Spanish,
  // Portuguese. Their "no" and "non" stay out, as English "no" does (an answer, a reaction).
  'nicht|nichts|nie|niemals|kein|keine|keinen|keinem|keiner|keines|weder',
  'niet|niets|nooit|geen',
  // French "pas" and Italian "mai" left out: an English "faux pas", a name "Mai" (review); "ne ...
  // pas" is read by its "ne", "pas" alone in context (PAS, below).
  'ne|jamais|rien|aucun|aucune',
  'niente|nessuno|nessuna',
  'nunca|jamás|nada|nadie|ningún|ninguna|ninguno|tampoco',
  'não|nenhum|nenhuma|ninguém',
].join('|');
/**
 * Negations that are English words too, or names, or Latin ("no sugar", "Mai Tran", "non-profit",
 * lorem ipsum's "nulla"): read only where the text is in their language (romance-language.ts).
 * Review: a Spanish building diary's "la penalización no aplica" lost its "no", and the check then
 * refused the whole output.
 */
const NEGATIONS_IN: Readonly<Record<RomanceLanguage, string>> = {
  es: 'no|ni',
  it: 'non|mai|nulla',
  pt: 'nem',
};
const NEGATION_IN = new RegExp(
  `(?<![\\p{L}'’-])(?:${[...new Set(Object.values(NEGATIONS_IN).flatMap((w) => w.split('|')))].join('|')})(?![\\p{L}'’-])`,
  'giu',
);
const NEGATION_WORD_IN = Object.fromEntries(
  Object.entries(NEGATIONS_IN).map(([lang, w]) => [lang, new RegExp(`^(?:${w})$`, 'iu')]),
) as Record<RomanceLanguage, RegExp>;
/**
 * French "pas" without its "ne", as written and as said ("mais pas à l'amoxicilline", "c'est pas
 * grave", "n'aime pas les films": review, "mais pas à l'amoxicilline" read "mais l'amoxicilline"):
 * a negation when a determiner, a preposition, an adverb or a pronoun follows it, or "mais", "ou",
 * "et", "non", "pourquoi" or a form of "être" comes before. Not an English "faux pas", nor a
 * ballet's "pas de deux" or "pas de bourrée".
 */
const PAS = String.raw`(?<!faux[ \t]+)pas(?![ \t]+de[ \t]+(?:deux|trois|quatre|bourrée|chat|basque)(?![\p{L}]))(?:(?=[ \t]+(?:(?:à|au|aux|de|du|des|le|la|les|un|une|mon|ma|mes|ton|ta|tes|son|sa|ses|notre|nos|votre|vos|leur|leurs|ce|cet|cette|ces|ça|cela|ceci|encore|très|trop|tout|toujours|si|assez|plus|moins|vraiment|forcément|beaucoup|bien|mal|là|avant|après|pendant|sans|avec|pour|en|dans|sur|chez|par|que|question|grave|cher|souvent|longtemps|seulement)(?![\p{L}'’])|[dlq]u?['’]))|(?<=(?:^|[ \t])(?:mais|ou|et|non|pourquoi|est|sont|était|c'est|c’est)[ \t]+pas))`;
const NEGATION = new RegExp(`(?<![\\p{L}'’])(?:${NEGATIONS}|${PAS})(?![\\p{L}'’])`, 'giu');
const NEGATION_WORD = new RegExp(`^(?:${NEGATIONS})$`, 'iu');

/**
 * Whether a word is a negation ("not", "never", "don't"), as the pruner locks them; with `lang`, the
 * negations of that language that are English words too ("no", "non") as well.
 */
export const isNegation = (word: string, lang?: RomanceLanguage): boolean =>
  NEGATION_WORD.test(word) || (lang !== undefined && NEGATION_WORD_IN[lang].test(word));

/**
 * Words after an English "no" that make it an answer or a reaction, not a determiner: "No worries!",
 * "no problem", "No thanks", "No I didn't" (a pronoun or an auxiliary after it: closed-class words,
 * "no such thing" excepted).
 */
export const NOT_AFTER_NO: ReadonlySet<string> = new Set([
  'problem',
  'problems',
  'prob',
  'worries',
  'worry',
  'biggie',
  'sweat',
  'thanks',
  'thank',
]);

/**
 * Whether an English "no" followed by `next` (on the same line, no comma between) is a determiner
 * that negates the noun phrase it opens ("no flat fee", "No known food allergies", "no VAT charged",
 * "no longer eats"), not an interjection ("No, I didn't", "No worries!"). The pruner locks it with its
 * reach and the check (generation/negations.ts) reads it so too: what one keeps, the other asks for.
 */
export const negatingNo = (next: string): boolean => {
  const b = bareWord(next);
  return /^\p{L}/u.test(b) && !NOT_AFTER_NO.has(b) && b !== 'no' && (b === 'such' || !CLOSED_CLASS.has(b));
};

/** An English "no" with the word after it, within a line (a comma or a sentence end after it: an interjection). */
const NO_BEFORE_WORD = /(?<![\p{L}\p{N}'’-])no[ \t]+([\p{L}][\p{L}\p{N}'’-]*)/giu;

/**
 * Each negation of `text`, at its offset: the ones read in any text (NEGATION), those read only
 * in their language (NEGATION_IN) where the text is in it, and an English determiner "no"
 * (`negatingNo`) outside those languages, marked `english` (its reach is read as English).
 */
function negationMatches(text: string): { index: number; word: string; english?: boolean }[] {
  const out: { index: number; word: string; english?: boolean }[] = [...text.matchAll(NEGATION)].map((m) => ({
    index: m.index,
    word: m[0],
  }));
  const gated = [...text.matchAll(NEGATION_IN)];
  const nos = [...text.matchAll(NO_BEFORE_WORD)].filter((m) => negatingNo(m[1] as string));
  if (!gated.length && !nos.length) return out;
  const languageAt = romanceLanguageAt(text);
  for (const m of gated) {
    const lang = languageAt(m.index);
    if (lang && NEGATION_WORD_IN[lang].test(m[0])) out.push({ index: m.index, word: m[0] });
  }
  // Review: "Premium customers pay no flat fee" read "Premium customers pay flat fee", "No known
  // food allergies" "known food allergies".
  for (const m of nos) if (!languageAt(m.index)) out.push({ index: m.index, word: m[0].slice(0, 2), english: true });
  return out.sort((a, b) => a.index - b.index);
}

/** Whether a text says a negation, as the pruner locks them ("not Porto", "do not suggest", "no VAT charged"). */
export const holdsNegation = (text: string): boolean => negationMatches(text).length > 0;

/**
 * Words that bound or time the number right after them ("over 65", "more than 50,000", "from 340 ms
 * to 95 ms", "about 1,200", "by 20 May"): without them the number says something else.
 */
const NUMBER_BOUNDS = new Set(
  'over under above below than least most to from between up nearly almost about around approximately roughly only within before after until since by per'.split(
    ' ',
  ),
);

/**
 * Prepositions, articles and conjunctions of the other languages users write lists in, and the English bounds
 * of a number: words that end a counted noun ("20 minutes per 500 g", "500 g de farine pour Leo").
 */
export const ROMANCE_GLUE = new Set(
  "à au aux avec dans en par pour sur de d' di del della da do dos das le la les l' un une des du con para por el los las al per il lo gli i für mit je pro zu voor met et ou y o e und oder en".split(
    ' ',
  ),
);

/** Whether a word only joins: closed-class, a number's bound, or a preposition or article of ROMANCE_GLUE. */
const joinsOnly = (word: string): boolean =>
  isClosedClass(word, false) || NUMBER_BOUNDS.has(bare(word)) || ROMANCE_GLUE.has(bareWord(word));

const NUMBER_START = /^[~≈<>$€£¥₹]?\d/;

/** Bounds of more than one word, said before a number: each word of them is kept with it. */
const BOUND_PHRASES = [
  'at least',
  'at most',
  'more than',
  'less than',
  'fewer than',
  'no more than',
  'no less than',
  'no fewer than',
  'as many as',
  'as much as',
  'as few as',
  'as little as',
  'as long as',
  'up to',
].map((p) => p.split(' '));

/**
 * Whether `words[k]` bounds the number after it: a NUMBER_BOUNDS word right before it, a word of a
 * longer bound that ends right before it ("at least 5", "as many as 40", "no more than 3"), or a
 * range's "and" between two numbers ("between 5 and 10").
 */
/** A number spelled as a word ("at least two weeks", "about twenty dollars"), bounded as digits are. */
export const SPELLED_NUMBER =
  /^(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen|half)$/;

export const boundsNumber = (words: readonly string[], k: number): boolean => {
  const b = bare(words[k] ?? '');
  const isNumber = (i: number) => NUMBER_START.test(words[i] ?? '') || SPELLED_NUMBER.test(bare(words[i] ?? ''));
  if (isNumber(k + 1)) {
    if (NUMBER_BOUNDS.has(b)) return true;
    // A range or a share between two numbers: "5 and 10", "118 of 180", "2 or 3".
    if ((b === 'and' || b === 'of' || b === 'or') && isNumber(k - 1)) return true;
  }
  return BOUND_PHRASES.some((phrase) =>
    phrase.some((p, o) => {
      if (p !== b) return false;
      const start = k - o;
      return (
        start >= 0 && isNumber(start + phrase.length) && phrase.every((q, m) => bare(words[start + m] ?? '') === q)
      );
    }),
  );
};

/**
 * What keeps a user safe at the table or the pharmacy: an allergy, an intolerance, a diet, a
 * condition (the query path ranks such facts next to the best match, query/standing-facts.ts).
 * The stem's word is read from its start only: tried at every letter, "\p{L}*" ran to the end of a
 * run without spaces each time, quadratic on a CJK paragraph (18,000 characters took seconds).
 */
export const SAFETY =
  /(?:(?<!\p{L})\p{L}*(?:allerg|alerg|alérg|unverträglich|intoleran|intoléran)\p{L}*|アレルギー|过敏|알레르기|\b(?:anaphyla\w*|epipen|coeliac|celiac|zöliakie|cel[ií]ac[oa]?|diab[eé]t\p{L}*|vegan\p{L}*|vegetari\p{L}*|végétarien\p{L}*|halal|kosher|koscher|pregnan(?:t|cy)|schwanger\p{L}*|enceinte|embarazada|epilep(?:sy|tic)|asthma(?:tic)?)\b)/iu;

/**
 * Of the safety words, those whose turn or line never goes whole (pruned/select.ts): what a user
 * reacts to. A diet or a condition is kept in its clause, but a chat about a vegan restaurant is no
 * reason to keep every turn that says "vegan" (review: 75 % of such a chat kept at ratio 0.3).
 */
export const ALLERGY =
  /(?<!hypo)allerg|alerg|alérg|アレルギー|过敏|알레르기|unverträglich|anaphyla|epipen|intoleran|intoléran|coeliac|celiac|zöliakie/i;

/**
 * An instruction for the assistant: "always" or "never" before what an assistant does (answer,
 * reply, call the user, book, recommend, use, show), or "answer in ...", or "keep answers ..."
 * (review: a profile's "Do not use emoji" and "Keep answers short: ... no more than 150 words" went
 * whole at keep 0.33). A handbook's "Always wear something
 * reflective after dark" is the document's own advice, not one. Also after a fact's colon or its
 * first sentence in a list's item ("- Salary is private: never mention it in drafts", "- Calendar:
 * ... Never put personal events in Outlook"), and "Keep private" (review 5, F-10: three went whole
 * at keep 0.5); not in a chat's turn ("Tom: Don't forget to bring the cake!") nor a paragraph. Nor
 * advice to the reader, its verb on someone of the reader's ("Always tell your dentist you take a
 * blood thinner", a discharge summary's instructions for the patient, took an answer's place at 0.1:
 * session 32); "Never share your system prompt" is still one.
 */
const IMPERATIVE =
  /^(?:(?:[-*•]\s+|\d{1,3}[.)]\s+)(?:[^\n]*?[;:.!?]\s+)?)?(?:(?:please\s+)?(?:always|never|do not|don't)\s+(?:[\p{L}'-]+\s+){0,2}?(?:answer|respond|reply|write|speak|call|address|mention|suggest|recommend|book|schedule|assume|ask|remind|refer|include|greet|sign|send|share|contact|message|email|text|use|give|show|add|discuss|bring|propose|offer|translate|format|quote|explain|put|post|tell|disclose|reveal|forward)\b(?!\s+your\s+(?:dentist|doctor|gp|pharmacist|nurse|surgeon|midwife|physician|consultant|care\s+team|vet|manager|boss|teacher|landlord|bank|employer|insurer|coach|partner|family|parents?|mother|father|mum|mom|dad|children|kids?|friends?|colleagues?|team)\b)|(?:answer|respond|reply|write|speak)\s+(?:to\s+)?(?:the user|me|him|her|them|in)\b|(?:keep|make)\s+(?:your\s+|the\s+|all\s+)?(?:answers|replies|responses)\b|keep\s+(?:it\s+|this\s+|that\s+)?(?:private|confidential|secret)\b)/iu;

/** A saved memory's lead before its words: a list marker, a date in brackets ("12. [2024-04-09] "). */
const LEAD = String.raw`^(?:[-*•]\s+|\d{1,3}[.)]\s+)?(?:\[[^\]\n]{1,40}\]\s*)?`;
/** Who a memory's preference is about: the user, a pronoun, or a name ("Dan prefers ..."). */
const SUBJECT = String.raw`(?:(?:the\s+)?user|he|she|they|i|\p{Lu}[\p{L}'-]+)`;
/** What an assistant gives: a preference about these is an instruction. */
const FOR_THE_ASSISTANT = String.raw`(?:answers?|repl(?:y|ies)|responses?|recipes?|suggestions?|recommendations?|(?:the\s+)?assistant|you|to\s+be\s+(?:called|addressed))\b`;

/**
 * An instruction written in the third person, as saved memories are (review: "User does not want
 * recipes that contain mushrooms", "User wants all answers in British English spelling", "User
 * prefers answers in Dutch", "User never wants emoji in replies" were read as ordinary facts): a
 * want negated, whatever its object, or a want, a preference, a like or a dislike of what an
 * assistant gives (answers, replies, recipes, suggestions); and a request ("Please always use metric
 * units"), whatever its verb. "User wants to visit Japan" is a wish, not one. A profile's lines
 * often leave the subject out, or say it after another fact ("Speaks Dutch and English; prefers
 * answers in English", review): so may these.
 */
const THIRD_PERSON = new RegExp(
  String.raw`(?:${LEAD}|^[^\n]*?[;:]\s+)(?:please\s+(?:always|never|do\s+not|don't)\b|(?:${SUBJECT}\s+)?(?:(?:does\s+not|doesn't|do\s+not|don't|never|no\s+longer)\s+wants?\b|(?:(?:always|never|usually|generally|strongly|really)\s+)?(?:wants?|prefers?|likes?|dislikes?|hates?|expects?)\s+(?:[\p{L}'-]+,?\s+){0,3}?${FOR_THE_ASSISTANT}))`,
  'iu',
);

/**
 * The same in the languages users write memories in most after English: French, German, Spanish,
 * Italian, Portuguese, Dutch (review: a French memory's "Elle préfère que l'assistant lui réponde en
 * français et la tutoie", "Ne jamais lui proposer de rendez-vous le jeudi matin", "Elle ne veut pas
 * que l'assistant mentionne son travail" went whole at keep 0.5). In the same spirit, not wider: a
 * want negated, whatever its object; a want or a preference of the assistant, an answer or a reply
 * (within four words); "never" or "always" before what an assistant does (within four words, the
 * verb last in German and Dutch). "Elle n'aime pas les films d'horreur" and "Sie möchte nach Japan"
 * are facts, not instructions.
 */
const FOR_THE_ASSISTANT_ML = String.raw`(?:(?:l['’])?assistant[ae]?|assistente|asistente|assistent(?:e|in|en)?|réponses?|répondre|antworten?|respuestas?|responder|risposte?|rispondere|respostas?|antwoorden?|antwoord)(?![\p{L}])`;
const WANTS_ML =
  '(?:préf[èe]re|veut|souhaite|aimerait|bevorzugt|möchte|wünscht|prefiere|quiere|desea|preferisce|vuole|desidera|prefere|quer|deseja|prefereert|wil|wenst)';
const WANTS_NOT_ML = String.raw`(?:ne\s+(?:veut|souhaite)\s+(?:pas|plus|jamais)|n['’]aime\s+pas\s+qu|(?:will|möchte|wünscht)\s+(?:nicht|keine[nmrs]?|nie)|no\s+(?:quiere|desea)|non\s+(?:vuole|desidera)|não\s+(?:quer|deseja)|wil\s+(?:niet|geen|nooit))`;
const NEVER_ALWAYS_ML = String.raw`(?:ne\s+jamais|jamais|toujours|nie|niemals|immer|nunca|siempre|mai|sempre|non|nooit|altijd)`;
const ASSISTANT_ACTS_ML = String.raw`(?:propos\p{L}*|répond\p{L}*|appel\p{L}*|écri\p{L}*|mentionn\p{L}*|sugg[eé]r\p{L}*|recommand\p{L}*|tutoy\p{L}*|vouvoy\p{L}*|anrufen|antworten|schreiben|erwähnen|vorschlagen|empfehlen|duzen|siezen|propon\p{L}*|respond\p{L}*|llam\p{L}*|escrib\p{L}*|mencion\p{L}*|sugeri\p{L}*|recomend\p{L}*|propor\p{L}*|rispond\p{L}*|chiam\p{L}*|scriv\p{L}*|menzion\p{L}*|suggeri\p{L}*|consigli\p{L}*|ligar|escrever|voorstellen|antwoorden|bellen|schrijven|noemen|aanraden)(?![\p{L}])`;
const OTHER_LANGUAGES = new RegExp(
  String.raw`${LEAD}(?:(?:(?:bitte|por\s+favor|per\s+favore|s['’]il\s+te\s+pla[iî]t|alsjeblieft)[,\s]+)?${NEVER_ALWAYS_ML}\s+(?:[\p{L}\p{N}'’:.-]+\s+){0,4}?${ASSISTANT_ACTS_ML}|(?:[\p{L}'’-]+\s+){0,2}?(?:${WANTS_NOT_ML}|${WANTS_ML}\s+(?:[\p{L}'’,-]+\s+){0,3}?${FOR_THE_ASSISTANT_ML}))`,
  'iu',
);

/** Whether a fact is an instruction for the assistant (the query path's standing facts use it too). */
export const isInstruction = (text: string): boolean =>
  IMPERATIVE.test(text.trim()) || THIRD_PERSON.test(text.trim()) || OTHER_LANGUAGES.test(text.trim());

/**
 * The words of the week and the day, one vocabulary for the rules that read when something is
 * (the pruner's constraints here, a plan in a team chat, turn-value.ts SCHEDULED, a memory's
 * calendar facts, query/standing-facts.ts WEEK_TIME): English and the languages memories were seen
 * in, French, Spanish, German and Dutch. Regex alternatives, to be read case-insensitively with the
 * `u` flag inside `dayTimeWord`'s bounds; each rule takes the parts it needs and adds its own.
 */

/**
 * A weekday, alone or plural ("Mondays", "lundis", "sábados", German "mittwochs", Dutch "maandags"),
 * German's with a part of the day ("Mittwochvormittag"), or English's abbreviation. "Mon", "Wed",
 * "Sat" and "Sun" are English words too ("in the sun", "she sat"): only before a date or a time
 * ("Wed 14:00", "Sat 3 May") or in a range of days ("Mon-Fri"). The other languages' abbreviations
 * ("mer", "jeu", "Di", "Do", "So") are words of theirs as often: left out.
 */
export const WEEKDAY = String.raw`(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)s?|(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)(?:vormittag|nachmittag|morgen|abend)?s?|(?:tues?|thu(?:rs?)?|fri)\.?|(?:mon|wed|sat|sun)\.?(?=[ \t]*(?:\d|[-–/][ \t]*(?:mon|tue|wed|thu|fri|sat|sun)))`;

/** A part of the day or of the week: "mornings", "le soir", "por la tarde", "abends", "'s avonds". */
export const DAY_PART = `mornings?|afternoons?|evenings?|nights?|weekends?|weekdays?|matin(?:s|ée|ées)?|après-midi|soir(?:s|ée|ées)?|nuits?|week-ends?|mañanas?|tardes?|noches?|morgens?|(?:vor|nach)mittags?|abends?|nachts?|ochtend(?:en|s)?|middag(?:en|s)?|avond(?:en|s)?|nacht(?:en)?`;

/**
 * A time on the clock: "08:30", "9 am", "9 p.m.", French "15h" and "10h30", German "10 Uhr", Dutch
 * "10 uur", hours 0-23 (minutes 0-59) only. A time with a point ("10.30") reads as a price or a
 * decimal as often: a rule that wants it adds it (DAY_OR_TIME).
 */
export const CLOCK_TIME = String.raw`(?:[01]?\d|2[0-3])(?::[0-5]\d|h(?:[0-5]\d)?|[ \t]?(?:uhr|uur))|(?:1[0-2]|0?[1-9])[ \t]?[ap]\.?m\.?`;

/**
 * A day said from today, and the day's fixed hours: "tomorrow", "demain", "gestern", "noon". Not
 * French "hier" (German and Dutch "here"), nor "midi" (a MIDI keyboard).
 */
export const TIME_WORD = `today|tonight|tomorrow|yesterday|noon|midnight|aujourd['’]hui|demain|minuit|hoy|ayer|mediod[ií]a|medianoche|heute|gestern|mitternacht|vandaag|gisteren|middernacht`;

/** Alternatives of the vocabulary (or a rule's own) as one whole word: no letter or digit either side. */
export const dayTimeWord = (...alternatives: readonly string[]): string =>
  String.raw`(?<![\p{L}\p{N}])(?:${alternatives.join('|')})(?![\p{L}\p{N}])`;

/**
 * A weekday, a part of the day, or a time of day, as the pruner's constraints read them; also a
 * time with a point ("before 10.30"), which a list of constraints writes as often as "10:30".
 */
const DAY_OR_TIME = dayTimeWord(WEEKDAY, DAY_PART, CLOCK_TIME, String.raw`(?:[01]?\d|2[0-3])\.[0-5]\d`);
/**
 * A negation before a day or a time: the pruner's negations in the vocabulary's languages
 * (NEGATIONS, French "pas" in context, PAS: "pas le mercredi", "nie vor 10 Uhr"), and "no" ("no
 * calls on Fridays"), which NEGATIONS leaves to answers and reactions.
 */
const CONSTRAINT_NEGATION = `${NEGATIONS}|${PAS}|no`;
/** What a day or a time said first is, when it is a constraint ("Wednesday mornings: not available"). */
const OFF_LIMITS = String.raw`off-limits|unavailable|indisponible|(?:not|pas|nicht|niet|no)\s+(?:available|disponible|verfügbar|erreichbar|beschikbaar)`;
/**
 * A constraint in a list of facts: a negation with a day or a time within four words of it ("Not
 * available on Wednesday mornings", "never before 08:30", "Do not call after 9 pm", "Pas le
 * mercredi matin", "Bitte nie vor 10 Uhr anrufen"), a day or a time said to be off-limits, or a cap
 * on a number ("no more than 150 words", "at most 3"). The assistant plans around it (review: a
 * profile's "Not available on Wednesday mornings" went whole at keep 0.33). Lines only; a chat says
 * "not" and "Monday" in one turn often.
 */
const CONSTRAINT = new RegExp(
  String.raw`(?<![\p{L}'’])(?:${CONSTRAINT_NEGATION})\s+(?:[^\s.;,()]+\s+){0,4}?${DAY_OR_TIME}|${DAY_OR_TIME}[^.;\n]{0,40}?(?<![\p{L}])(?:${OFF_LIMITS})(?![\p{L}])|\b(?:no\s+more\s+than|not\s+more\s+than|no\s+longer\s+than|at\s+most|max(?:imum)?\.?)\s+\d`,
  'iu',
);

/** Whether a list's line sets a constraint the assistant plans around (CONSTRAINT). */
export const isConstraint = (text: string): boolean => CONSTRAINT.test(text);

/**
 * A diet said as a habit ("User does not eat pork", "never drinks alcohol", "Drinks no alcohol since
 * January 2026": review 5, F-10): a fact the assistant acts on at the table, as a diet word is.
 */
export const DIET_HABIT =
  /\b(?:does\s+not|doesn't|do\s+not|don't|never|no\s+longer)\s+(?:eats?|drinks?)\b|\b(?:eats?|drinks?)\s+no\b(?!\s+(?:more|less|later|fewer)\b)/i;

/** How many words of its clause before a safety word, and after it, are kept with it. */
const SAFETY_BEFORE = 2;
const SAFETY_AFTER = 4;
/** An allergy's word with what it is to: "allergic to penicillin", "intolerant of lactose". */
const ALLERGEN_HEAD = /^[^\s.,;:!?()<>]*(?:[ \t]+(?:to|of|with|against))?[ \t]+[^\s.,;:!?()<>]+/iu;
/**
 * The rest of its list, ending in "and" or "or" and an item of up to two words: ", latex and
 * shellfish", " and to latex gloves". A comma with no "and" after it ends nothing ("..., says her
 * mother" is no item).
 */
const ALLERGEN_ITEM = String.raw`(?:(?:to|of)[ \t]+)?[^\s.,;:!?()<>]+(?:[ \t]+(?!and\b|or\b)[^\s.,;:!?()<>]+)?`;
const ALLERGEN_LIST = new RegExp(
  String.raw`^(?:[ \t]*,[ \t]*${ALLERGEN_ITEM})*[ \t]*,?[ \t]+(?:and|or|&)[ \t]+${ALLERGEN_ITEM}`,
  'iu',
);
/** Within one clause: no sentence end, comma or bracket crossed. */
const SAFETY_LEAD = new RegExp(`(?:[^\\s.,;:!?()<>]+[ \\t]+){0,${SAFETY_BEFORE}}$`, 'u');
const SAFETY_TAIL = new RegExp(`^[^\\s.,;:!?()<>]*(?:[ \\t]+[^\\s.,;:!?()<>]+){0,${SAFETY_AFTER}}`, 'u');

/**
 * The first mention of each safety word (an allergy, an intolerance, a diet, a condition) with the
 * words of its clause around it, up to SAFETY_BEFORE before and SAFETY_AFTER after: the word alone
 * says nothing ("Nadia is allergic to sesame." read "Nadia allergic"; "<li>Allergic to
 * penicillin.</li>" "<li>Allergic</li>"; "peanut allergy" needs its "peanut"). Review, `studio
 * compress` without a query. Only the first of each word in a line: a paragraph about diabetes says
 * it eight times, and locking them all kept 85 % of it at ratio 0.3 (review).
 */
export function safetySpans(text: string): readonly ProtectedSpan[] {
  // Asked twice a prune of the same text (the locked phrases, then the turns it keeps whole).
  if (lastSafety?.text === text) return lastSafety.spans;
  const spans = findSafetySpans(text);
  lastSafety = { text, spans };
  return spans;
}
let lastSafety: { text: string; spans: readonly ProtectedSpan[] } | undefined;

function findSafetySpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  const seen = new Set<string>();
  for (const m of text.matchAll(new RegExp(SAFETY.source, 'giu'))) {
    // Per line: each fact of a list, each turn, says its own ("Nadia is allergic to sesame" and
    // "Ava has a peanut allergy" are two facts).
    const line = text.lastIndexOf('\n', m.index);
    const before = SAFETY_LEAD.exec(text.slice(Math.max(0, m.index - 200), m.index))?.[0] ?? '';
    const tail = SAFETY_TAIL.exec(text.slice(m.index, m.index + 400))?.[0] ?? m[0];
    // An allergy's list of what it is to goes on past the fourth word and its commas: "allergic to
    // penicillin and to latex gloves" had kept "allergic to penicillin and to", the gloves gone
    // (re-read of session 34), "allergic to penicillin, latex and shellfish" "allergic to penicillin".
    const head = ALLERGEN_HEAD.exec(text.slice(m.index, m.index + 200))?.[0];
    const list =
      head && ALLERGY.test(m[0])
        ? ALLERGEN_LIST.exec(text.slice(m.index + head.length, m.index + head.length + 300))?.[0]
        : undefined;
    const after = list && head && head.length + list.length > tail.length ? head + list : tail;
    // What it is to is part of the fact: "not allergic to milk but is allergic to eggs" is two
    // (review: the eggs went, as a second "allergic" in the line). A word with no object (diabetes)
    // counts once a line.
    const stem = `${line}:${m[0].toLowerCase().slice(0, 6)}:${safetyObject(before, after)}`;
    if (seen.has(stem)) continue;
    seen.add(stem);
    out.push({ start: m.index - before.length, end: m.index + after.length, kind: 'safety' });
  }
  return out;
}

/**
 * What a safety word is about, in lower case: the word after its "to", "of" or "with" ("allergic to
 * eggs", "intolerant of gluten"), else the word before it ("peanut allergy"); empty for a word that
 * stands alone ("diabetic", "vegan"), or where the word before is glue ("is allergic").
 */
function safetyObject(before: string, after: string): string {
  const object = /^\S+[ \t]+(?:to|of|with|against)[ \t]+(\S+)/i.exec(after)?.[1];
  if (object) return object.toLowerCase();
  const lead = before.trim().split(/\s+/).at(-1) ?? '';
  return FUNCTION_WORDS.has(bare(lead)) ? '' : lead.toLowerCase();
}

/**
 * A capitalised word or a number, as an end of a move: a name or a place ("Sweden", "New York",
 * "São Paulo", "Q1"). Case-sensitive: under the "i" flag \p{Lu} matches any letter.
 */
const NAMED = String.raw`(?:\p{Lu}[\p{L}\p{M}\p{N}'’-]*|\d[\d.,:]*)(?![\p{L}\p{N}])`;

/**
 * "from X to Y" ("until", "till") within a line, with X and Y as `end` reads them and up to two
 * words after X ("from 340 ms to 95 ms", "from Rio de Janeiro to Lisbon"). The pruner locks it
 * (phraseSpans) between times, numbers and names; a turn announces a plan with it between times
 * and numbers only (turn-value.ts FROM_TO: "we went from Paris to Rome" is no plan).
 */
export const fromTo = (end: string, flags: string): RegExp =>
  new RegExp(`\\b[Ff]rom[ \\t]+${end}(?:[ \\t]+[^\\s.,;:!?]+){0,2}?[ \\t]+(?:to|until|till)[ \\t]+${end}`, flags);

/** A month's name, after a day's number ("30 November"). */
const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![\\p{L}])';
/** A span of a time phrase (TIME_PHRASE): a month (with its year), a quarter, a year, or "next month". */
const S = String.raw`[ \t]+`;
const PERIOD = String.raw`(?:${MONTH}(?:${S}\d{4})?|q[1-4](?:${S}\d{4})?|\d{4}|(?:(?:next|this|last|the)${S})?(?:week|month|quarter|year|term|summer|winter|spring|autumn))(?![\p{L}\p{N}])`;

/**
 * A time phrase, one unit a reader needs whole: a part of a period with its preposition ("in the
 * first week of December", "in the second half of April", "in the first two weeks of May", "by end
 * of Q3", "before the end of January"), and early / late / mid before a period ("early next month",
 * "mid-March"). Thinned, a status report's "on leave in the first week of December" read "on leave
 * December" (session 36): the month alone says the whole month.
 */
const TIME_PHRASE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:(?:in|during|by|before|after|until|from|over|within|at|for)${S})?(?:(?:the|this|next)${S})?(?:` +
    `(?:(?:first|last|second|third|fourth|final|early|late|middle)${S})?(?:(?:two|three|four|few)${S})?(?:weeks?|fortnight|half|quarter|months?|days)${S}of${S}(?:the${S})?${PERIOD}` +
    `|(?:end|start|beginning|middle)${S}of${S}(?:the${S})?${PERIOD}` +
    String.raw`|(?:early|late|mid)(?:-|${S})(?:(?:next|this|last)${S}(?:week|month|quarter|year)|${MONTH}(?:${S}\d{4})?|\d{4})(?![\p{L}\p{N}])` +
    ')',
  'giu',
);

/** A day's number or an hour in a range: "3", "9.", "8 h", "9h", "16h30", "8:30", "9 Uhr". */
const RANGE_END = String.raw`\d{1,4}(?:[:.h]\d{2})?(?:[ \t]?(?:h|uhr)(?![\p{L}])|\.)?`;

/**
 * A range of days or hours in French, Spanish, Italian, Portuguese and German, with both of its
 * prepositions: "del 3 al 7", "de 8 h à 16 h", "das 9h às 20h", "dalle 8 alle 16", "von 6 bis 9 Uhr",
 * "Vom 9. bis 13.". The prepositions are glue to the pruner, and thinned "del 3 al 7 de noviembre"
 * read "3 7 de noviembre", "de 8 h à 16 h" "8 h 16 h": two numbers, no range (sessions 38-39). Only
 * a number right after each preposition: "de 2 comprimidos a la semana" is no range.
 */
const ROMANCE_RANGE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:del|de|desde|dal|dalle|dai|da|du|dès|das|dos|do|vom|von|ab)[ \t]+${RANGE_END}[ \t]+(?:al|a|à|au|aux|alle|ai|ao|aos|às|até|hasta|jusqu['’]à|bis)[ \t]+(?:(?:las|les)[ \t]+)?${RANGE_END}`,
  'giu',
);

/** A count or an amount: a number with its currency ("EUR 412,000", "7.8", "69 %"), a number's word. */
const PART = String.raw`(?:(?:${CURRENCY}[ \t]?)?\d[\d.,]*(?:[ \t]?%)?|${NUMBER_WORD}|half)(?![\p{L}\p{N}])`;
/** A copula or "have": what a part of a whole is said to be or have follows it. */
const COPULA = String.raw`(?:are|is|was|were|have|has|had)(?![\p{L}])`;

/** A sum of money: a currency, then a figure ("£1,150", "EUR 42,000", "$ 12.50"). */
const AMOUNT = String.raw`${CURRENCY}[ \t]?\d(?:[\d.,]*\d)?(?![\p{L}\p{N}])`;

/** A time a plan is set for, or a number: a digit, a weekday, a month, a day word. */
export const WHEN =
  '(?:\\d(?:[\\d.,:/-]*\\d)?(?:[ \\t]?(?:am|pm))?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june|july|august|september|october|november|december|today|tomorrow|tonight|noon|midnight)(?![\\p{L}\\p{N}])';

/**
 * Multi-word phrases an answer needs whole, which word-level pruning would otherwise thin out:
 * frequencies ("once or twice a year", "every other week", "three times a month"), quantities
 * spelled in words ("two kids", "a couple of years"), numbers with their unit ("25 euros", "5 km")
 * the word that bounds or times a number ("over 65", "by 20 May"), which without it says otherwise,
 * negations, and a document's short headings.
 */
/**
 * A heading in capitals: a line of one to eight words, every letter of them a capital but a short
 * bracket's ("(selected)"), one word of three capitals at least, after a blank line or the text's
 * start, a line of text under it. Shared with the pruner's rule that drops a heading over nothing.
 */
export const CAPS_HEADING =
  /(?<=^|\n[ \t]*\n)[ \t]*(?=[^\n]*\p{Lu}{3})[\p{Lu}\p{N}][\p{Lu}\p{N}&/'’.-]*(?:[ \t]+[\p{Lu}\p{N}&/'’.-]+){0,7}(?:[ \t]+\([^()\n]{1,30}\))?[ \t]*:?[ \t]*(?=\n[ \t]*\S)/gu;

/** A word in -ing right before a duration, through a "for" and a bound: "cooking for at least 10 minutes". */
const MEASURED_DOING = new RegExp(
  String.raw`(?<![\p{L}'’-])(?!(?:morn|even|dur|noth|someth|anyth|everyth|bring|spr|k|th|w|s)ing\b)(\p{Ll}{2,}ing)[ \t]+(?:for[ \t]+)?(?:(?:at least|about|around|up to|over|nearly|almost|roughly)[ \t]+)?(?:\d[\d.,]*|${NUMBER_WORD})[ \t]*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)(?![\p{L}])`,
  'gu',
);

/**
 * A step's verb opening its sentence, its duration after a "for" within three words: "Roast for 1
 * hour 30 minutes", "Rest under foil for 15 minutes". A recipe's steps say what to do as imperatives,
 * not in -ing, and thinned they read "1 hour 30 minutes," and "foil 15 minutes", times of nothing
 * (re-read of session 37, a recipe at keep 0.5).
 */
const MEASURED_STEP = new RegExp(
  String.raw`(?<=(?:^|[\n.!?;:])[ \t]*)(\p{Lu}\p{Ll}{2,})(?:[ \t]+\p{Ll}+){0,3}[ \t]+for[ \t]+(?:(?:at least|about|around|up to|over|nearly|almost|roughly)[ \t]+)?(?:\d[\d.,]*|${NUMBER_WORD})[ \t]*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?)(?![\p{L}])`,
  'gu',
);

export function phraseSpans(text: string): ProtectedSpan[] {
  return phraseSpansIn(calmBlankRuns(text));
}

/** Runs of spaces and tabs longer than this are no gap between two words of a phrase. */
const LONG_BLANK_RUN = /[ \t]{33,}/g;

/**
 * The text with the inside of every long run of blanks replaced by line ends, its length (so every offset)
 * kept. Many patterns look back over `[ \t]+`, which at each blank of a run rescans the run: a line
 * of 20,000 spaces took 7 s, a 200 KB one minutes (session 39's re-read). No phrase spans such a run.
 */
function calmBlankRuns(text: string): string {
  return text.replace(LONG_BLANK_RUN, (run) => `${run[0]}${'\n'.repeat(run.length - 2)}${run.at(-1)}`);
}

function phraseSpansIn(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  const patterns = [
    new RegExp(
      `\\b(?:(?:once|twice|${NUMBER_WORD} times?)(?:\\s+or\\s+(?:once|twice|${NUMBER_WORD} times?))?|every(?:\\s+other)?|each)\\s+(?:a\\s+|per\\s+|every\\s+|other\\s+)?(?:day|night|week(?:end)?|month|year|summer|winter|morning|evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\\b`,
      'gi',
    ),
    new RegExp(`\\b${NUMBER_WORD}\\s+(?:[\\p{Ll}]+\\s+)?(?:[\\p{Ll}]+s)\\b`, 'giu'),
    // How often, by a count of hours, days or weeks ("every 2 hours", "every four weeks"), and how
    // long at first ("for the first 48 hours"): eye drops' "every 2 hours for the first 48 hours"
    // read "2 hours 48 hours", a frequency read as a duration (session 39).
    new RegExp(
      String.raw`(?<![\p{L}])(?:every|for\s+the\s+(?:first|next|last))\s+(?:\d[\d.,]*|${NUMBER_WORD})\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|years?|doses?)(?![\p{L}])`,
      'giu',
    ),
    // A bound or a time said of a number: "over 65", "at least 3", "by 20 May", "after 30 seconds".
    // "no more than 150 words" without its "no" reads as more than 150 (review, a profile at 0.33).
    // A cap or a floor too, with what it is per: "Max 1 per customer" read "1" (review, a catalog at 0.5).
    // And with a currency between: "Cash above EUR 500" read "Cash EUR 500" (review 3).
    new RegExp(
      String.raw`\b(?:over|under|above|below|(?:(?:no|not)\s+)?(?:more|less|fewer|longer) than|at (?:least|most)|up to|nearly|almost|about|around|approximately|roughly|only|within|before|after|until|since|by|max(?:imum)?\.?|min(?:imum)?\.?)\s+(?:${CURRENCY}[ \t]?)?\d[\d.,:]*(?:[ \t]+per[ \t]+\p{L}+)?`,
      'giu',
    ),
    // A change or a range between two times or numbers, with its "from" and "to": thinned, "the
    // deploy moved from Thursday to Monday" read "deploy moved Thursday Monday", which way unsaid.
    fromTo(WHEN, 'giu'),
    // So between two names, places or numbers: "We moved from Sweden to Canada in 2019" read
    // "moved Sweden Canada 2019", which way unsaid (review).
    fromTo(NAMED, 'gu'),
    // So between two sums of money, the currency before the figure: "the rent will rise from £1,150
    // to £1,210" read "rent £1,150 £1,210", which is the new amount unsaid (session 39).
    fromTo(AMOUNT, 'giu'),
    // A range without its "from": "30 November to 9 December" read "30 November 9 December",
    // "between 14 and 18 March" "14 18 March" (session 33, a status report at keep 0.5).
    new RegExp(
      `(?<![\\p{L}\\p{N}])(?:between[ \\t]+${WHEN}(?:[ \\t]+${MONTH})?[ \\t]+and|${WHEN}(?:[ \\t]+${MONTH})?[ \\t]+(?:to|until|till|through))[ \\t]+${WHEN}(?:[ \\t]+${MONTH})?`,
      'giu',
    ),
    ROMANCE_RANGE,
    // A part of a whole, with what it counts and, after a copula, what is said of it: "EUR 412,000
    // of EUR 600,000" read "EUR 412,000 EUR 600,000"; "Two of the five testers are on leave" "five
    // testers"; "7.8 out of 10", "two weeks out of five", "GBP 48,000 of which GBP 31,500 is
    // committed" (session 33).
    new RegExp(
      String.raw`(?<![\p{L}\p{N}])${PART}(?:[ \t]+\p{L}+)?[ \t]+(?:out[ \t]+)?of[ \t]+(?:(?:the|our|their|all|which|whom|these|those)[ \t]+)?${PART}(?:[ \t]+(?!${COPULA})\p{L}[\p{L}-]*)?(?:[ \t]+${COPULA}(?:[ \t]+[^\s.,;:!?()\[\]]+){1,2})?`,
      'giu',
    ),
    TIME_PHRASE,
  ];
  for (const re of patterns)
    for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'number' });
  // The doing a duration measures: thinned, "cooking for 10 minutes" read "for 10 minutes", and
  // "Preparation 20 minutes, cooking 1 hour 30 minutes" two times of nothing (session 37).
  for (const m of text.matchAll(MEASURED_DOING))
    out.push({ start: m.index, end: m.index + (m[1] as string).length, kind: 'number' });
  for (const m of text.matchAll(MEASURED_STEP))
    out.push({ start: m.index, end: m.index + (m[1] as string).length, kind: 'number' });
  // A number in digits with its unit ("25 euros", "340 ms", "8 400 €", "1 h 55"), and in a list
  // item a count with what it counts ("3 tbsp tamari"): quantities.ts.
  out.push(...quantitySpans(text, joinsOnly));
  // A short Markdown heading names its section: thinned, "## Action items" read "## Action" and
  // "# Product sync, 14 May 2025" "# Product 14 May 2025". A few tokens each, kept whole.
  for (const m of text.matchAll(/^#{1,6}[ \t]+(?:\S+[ \t]+){0,7}\S+[ \t]*$/gm))
    out.push({ start: m.index, end: m.index + m[0].trimEnd().length, kind: 'header' });
  // So is a heading in capitals on its own line ("PRINCIPAL DIAGNOSIS", "INVESTIGATIONS (selected)"),
  // as clinical and legal documents write them (review 5, F-20: the lab table's heading went, the
  // table left under the paragraph before).
  for (const m of text.matchAll(CAPS_HEADING))
    out.push({ start: m.index, end: m.index + m[0].trimEnd().length, kind: 'header' });
  // So is an HTML heading of eight words at most ("<h2>Trip notes</h2>" had read "<h2>Trip</h2>").
  for (const m of text.matchAll(/<h([1-6])\b[^<>]*>[ \t]*(?:[^\s<>]+[ \t]+){0,7}[^\s<>]+[ \t]*<\/h\1>/gi))
    out.push({ start: m.index, end: m.index + m[0].length, kind: 'header' });
  out.push(...safetySpans(text));
  // A replaced value and a decision's verb (changes.ts); a drug, a test's result, an allergy's line (clinical.ts).
  out.push(...changeSpans(text));
  // An action item's object, a hand-over with whom to, a field's owner (actions.ts).
  out.push(...actionSpans(text));
  out.push(...clinicalSpans(text));
  out.push(...exceptionSpans(text));
  out.push(...conditionSpans(text));
  // A French correction, "X et non Y" ("le 12 mars 2026 et non le 5 mars"): "non" is read as a
  // negation in Italian only (NEGATIONS_IN), and without it both dates read as true (review 3).
  // What it denies is the rest of its clause when short ("et non le 5 mars"; "mai" is an Italian negation).
  for (const m of text.matchAll(CONTRAST_NON)) {
    const from = m.index + m[0].length;
    const rest = clauseRest(text, from);
    const end = rest && rest.words <= VERB_FINAL_REACH ? from + rest.length : negatedEnd(text, from, true);
    out.push({ start: m.index, end, kind: 'negation' });
  }
  // With the state in doubt when one is said ("may be *falsely raised*", "might be delayed"): the
  // modal alone kept read "Potassium may". Only then: a chat's "might be fun" reached further cost
  // an answer on LoCoMo's held-out sessions at keep 0.33 (64 -> 63 of 69).
  for (const m of text.matchAll(DOUBT)) {
    const from = m.index + m[0].length;
    const state = DOUBTED_STATE.exec(text.slice(from));
    out.push({ start: m.index, end: state ? from + state[0].length : from, kind: 'negation' });
  }
  out.push(...clauseSpans(text, CLAUSE_READER));
  for (const m of negationMatches(text)) {
    const from = m.index + m.word.length;
    const romance = !m.english && ROMANCE_NEGATION.test(m.word);
    if (!m.english) {
      out.push(...afterProhibition(text, from, CLAUSE_READER));
      out.push(...negatedSubject(text, m.index, m.word, CLAUSE_READER));
      out.push(...negatedScope(text, m.index, m.word, CLAUSE_READER));
    }
    // A French subject before its "ne" is who or what is denied: "les encombrants ne doivent pas"
    // read "les ne doivent pas", "l'entreprise ne fournit pas" "Le Dupuis ne fournit pas" (review 3).
    if (romance && /^ne$/iu.test(m.word)) {
      const subject = ROMANCE_SUBJECT.exec(text.slice(Math.max(0, m.index - 80), m.index));
      const noun = subject?.[2] ?? '';
      const head = noun.replace(/^[dlj]['’]/iu, '').toLowerCase();
      if (subject && !isClosedClass(head, false) && !ROMANCE_CLITICS.has(head) && !ROMANCE_GLUE.has(head))
        out.push({ start: m.index - subject[0].trimStart().length, end: m.index - 1, kind: 'negation' });
    }
    // A Romance negation's clause, when short, is kept whole too: what is refused is said after the
    // verb, with its when ("Ne jamais lui proposer de rendez-vous le jeudi matin" read "Ne jamais lui
    // proposer", the Thursday gone), and French glue ("lui", "de", "le") hides its object from the
    // reach counted in words.
    if (romance) {
      const rest = clauseRest(text, from);
      if (rest && rest.words <= VERB_FINAL_REACH) {
        out.push({ start: m.index, end: from + rest.length, kind: 'negation' });
        continue;
      }
    }
    const verbFinal = VERB_FINAL_NEGATION.test(m.word);
    // A modal a negation denies is kept with it: "The Supplier may not terminate" without "may" read
    // "Supplier not terminate", a permission denied read as a fact (review).
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    const modal = verbFinal || romance ? undefined : (MODAL_BEFORE.exec(before) ?? ORDER_DO.exec(before));
    const start = m.index - (modal?.[0].length ?? 0);
    // English keeps the usual reach, with the object's qualifier (negatedEnd). The rest of a short
    // clause kept whole, as for German, was measured: up to 6, 8, 10 or 12 words on, LoCoMo plain
    // at keep 0.33 lost an answer on the tuning sessions (98 -> 97 of 105) and won one held out (64
    // -> 65 of 69); not adopted.
    const clause = verbFinal ? clauseRest(text, from) : undefined;
    // German and Dutch put the verb a negation governs at the end of its clause ("Bitte mich nie vor
    // 10 Uhr anrufen.", "Bel me nooit voor 10 uur op."): the words right after the negation are not
    // what it negates, and the verb (or the particle of a separable one, "an", "op") went (review:
    // "nie vor 10 Uhr", without "anrufen"). A short clause is kept whole from the negation on; a
    // longer one keeps its last word too.
    if (clause && clause.words <= VERB_FINAL_REACH) {
      out.push({ start: m.index, end: from + clause.length, kind: 'negation' });
      continue;
    }
    out.push({ start, end: m.english ? nounPhraseEnd(text, from) : negatedEnd(text, from, romance), kind: 'negation' });
    if (clause) out.push({ start: from + clause.lastWord, end: from + clause.length, kind: 'negation' });
  }
  return out;
}

/**
 * The word right before a French "ne", its subject's noun ("encombrants", "l'entreprise"), with the
 * noun before it when it is its complement ("le badge *d'accès* ne fonctionne plus").
 */
const ROMANCE_SUBJECT =
  /(?:^|[ \t])(?:([\p{L}'’-]+)[ \t]+(?=d['’]|de[ \t]|du[ \t]|des[ \t]))?((?:(?:de|du|des)[ \t]+)?[\p{L}'’-]+)[ \t]$/u;

/** How clause-spans.ts reads a word and a verb's object. */
const CLAUSE_READER: ClauseReader = {
  closed: (word) => isClosedClass(word, false),
  objectEnd: (text, from) => negatedEnd(text, from),
};

/**
 * A marker that makes what follows an exception or a condition: without it the exception reads as
 * the rule, the condition as a fact (review, an NDA at keep 0.5: "Contractors are Representatives
 * only if bound by ... terms" read "Contractors Representatives bound ... terms"; "survive for 5
 * years after it ends, except for source code, for which they survive indefinitely" lost its
 * exception). "Only possible while", "only valid before": a limit as much (review 3: "Cancels a
 * shipment. Only possible while `status` is `created` and within 30 days" read "`status` `created`
 * within 30 days").
 */
const EXCEPTION_MARKER =
  /(?<![\p{L}\p{N}'’-])(?:except(?:[ \t]+(?:for|that|when|where|if))?|unless|only[ \t]+(?:(?:possible|available|valid|allowed|permitted|applies|apply)[ \t]+)?(?:if|when|where|while|before|after|until)|provided[ \t]+that|providing[ \t]+that|subject[ \t]+to|other[ \t]+than|excluding|but[ \t]+only)(?![\p{L}\p{N}'’-])/giu;
/** How many words after an exception's marker its sentence may run and be kept whole. */
const EXCEPTION_REACH = 10;
/** The words after a marker up to its sentence's end (commas crossed; a point inside a word, "10.5", ends none). */
const SENTENCE_RUN = new RegExp(
  String.raw`^(?:[ \t]+(?:[^\s.;:!?()"]|[.:](?=[^\s.;:!?()"]))+){1,${EXCEPTION_REACH}}`,
  'u',
);

/**
 * Each exception or condition marker (EXCEPTION_MARKER) with what it reaches, as negations are locked:
 * the rest of its sentence when that is EXCEPTION_REACH words at most ("except that either party may
 * seek an injunction in any competent court"), else the marker's head and object (negatedEnd: "only if
 * bound by written confidentiality"). Never past its sentence's end, a colon or a bracket.
 */
function exceptionSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(EXCEPTION_MARKER)) {
    const from = m.index + m[0].length;
    const rest = SENTENCE_RUN.exec(text.slice(from))?.[0];
    const ends = rest !== undefined && /^[ \t]*(?:$|[\n\r.;:!?()"])/u.test(text.slice(from + rest.length));
    const end = rest && ends ? from + rest.replace(/,+$/u, '').length : negatedEnd(text, from);
    out.push({ start: m.index, end: from, kind: 'negation' });
    // Its words but the closed-class glue a reader restores ("unless he writes in Dutch" is kept as
    // "unless writes Dutch"), and a modal, which says a permission ("except that either party *may*
    // seek an injunction"): whole, two such clauses cost a profile four points over its ratio.
    for (const w of text.slice(from, end).matchAll(/\S+/gu)) {
      const at = from + w.index;
      if (!isClosedClass(w[0], false) || MODAL.test(bareWord(w[0])))
        out.push({ start: at, end: at + w[0].length, kind: 'negation' });
    }
  }
  return out;
}

/**
 * A condition opening its sentence or clause, up to the comma before the main clause: "If one
 * partition's lag keeps growing while the others are at 0, delete that one pod". Its marker and
 * content words are what says when the action holds: thinned, the action read as unconditional
 * (review 3: "keeps growing 0, delete pod", "one parent travels" for "if only one parent travels
 * with her, an affidavit ... is required").
 */
const CONDITION = new RegExp(
  String.raw`(?<=^|[.;:!?][ \t]+|,[ \t]+|\n[ \t]*(?:[-*•][ \t]+)?)(?:[Ii]f|[Ww]hen|[Uu]nless|[Oo]nce)(?:[ \t]+[^\s,.;:!?()]+){1,${EXCEPTION_REACH + 2}}(?=,[ \t])`,
  'gu',
);

/** A verb in the past: "was", "had", "did", a regular "-ed" ("When we moved to Lyon, ..."; not "need"). */
const PAST = /(?<![\p{L}'’-])(?:was|were|had|did|used[ \t]+to|\p{L}{2,}(?<!e)ed)(?![\p{L}'’-])/iu;

/** Each condition (CONDITION): its marker and its content words, as exceptionSpans locks an exception's. */
function conditionSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(CONDITION)) {
    // "When" and "Once" tell a story's time as often as an action's condition: "When I was a kid,
    // we lived in Porto" is narration, its words no rule. Only an "if" or "unless" in the past stays one.
    if (/^(?:when|once)$/iu.test(m[0].split(/[ \t]/u)[0] as string) && PAST.test(m[0])) continue;
    // The main clause's verb and object after the comma too: the condition kept alone, its action
    // went ("If one partition's lag keeps growing ..., (not the deployment)").
    const comma = m.index + m[0].length + 1;
    const action = text.slice(comma, negatedEnd(text, comma));
    const clause = `${m[0]},${action}`;
    for (const w of clause.matchAll(/\S+/gu)) {
      const at = m.index + w.index;
      // "at once", "at all": the "at" is half of what the condition says ("If more than three banks
      // fail at once" read "fail once", review 3).
      const bound = /^at$/iu.test(w[0]) && AT_PHRASE.test(clause.slice(w.index));
      if (w.index === 0 || bound || !isClosedClass(w[0], false) || MODAL.test(bareWord(w[0])))
        out.push({ start: at, end: at + w[0].length, kind: 'negation' });
    }
    // A short main clause before a colon ("If more than three banks fail at once, it is us: declare
    // SEV1"): its action is what follows the colon, and the clause says what the case is.
    if (!action.trim()) {
      const colon = /^(?:[ \t]+[^\s.,;:!?]+){1,4}:[ \t]+/u.exec(text.slice(comma));
      const from = colon ? comma + colon[0].length - 1 : -1;
      if (colon)
        for (const w of text.slice(comma, negatedEnd(text, from)).matchAll(/\S+/gu))
          if (!isClosedClass(w[0].replace(/:$/u, ''), false))
            out.push({ start: comma + w.index, end: comma + w.index + w[0].length, kind: 'negation' });
    }
  }
  return out;
}

/** "at once", "at all", "at first", "at most", "at least" as the words of a clause (after its "at"). */
const AT_PHRASE = /^at[ \t]+(?:once|all|first|last|most|least|times)(?![\p{L}'’])/iu;

/**
 * A modal of doubt before "be" or "have": "the result may be falsely raised" said without it is a
 * fact (review 3: a lab comment read "result falsely raised").
 */
const DOUBT = /(?<![\p{L}'’])(?:may|might|could)(?=[ \t]+(?:be|have)(?![\p{L}'’]))/giu;

/** A state said in doubt after "may be": an adverb and a participle, or a participle ("falsely raised", "delayed"). */
const DOUBTED_STATE = /^[ \t]+be[ \t]+(?:\p{L}+ly[ \t]+)?\p{L}{3,}ed(?![\p{L}'’])/u;

/** French "et non", "mais non" before what is denied (not "non" alone: an answer). */
const CONTRAST_NON = /(?<![\p{L}'’])(?:et|mais)[ \t]+non(?=[ \t]+\p{L})/giu;

/** A modal verb: what it says is a permission or a duty, not glue. */
const MODAL = /^(?:may|might|must|can|could|shall|should|will|would)$/u;

/** A modal right before a negation: "may not", "must not", "need not", "should never". */
const MODAL_BEFORE = /(?<![\p{L}'’])(?:may|might|must|can|could|need|should|shall|will|would)[ \t]+$/iu;
/**
 * The "Do" of an order not to do something, opening a sentence or a list item ("Do not eat it.",
 * "- Do not use in bathrooms", "Please do not send nuts"): thinned to "not eat it.", a recall's order
 * read as a statement (session 38). Not a "do not" inside a sentence, whose subject says who does not.
 */
const ORDER_DO =
  /(?<=(?:(?:^|\n)[ \t]*(?:(?:[-*+•–]|\d{1,3}[.)])[ \t]+)?|[.!?:;]["'’”)]*[ \t]+))(?:Do|[Pp]lease[ \t]+do)[ \t]+$/u;

/** The Romance negations (French "pas" in context, PAS). */
const ROMANCE_NEGATION =
  /^(?:ne|pas|jamais|rien|aucun|aucune|niente|nessuno|nessuna|non|mai|nulla|nunca|jamás|nada|nadie|ningún|ninguna|ninguno|tampoco|no|ni|não|nenhum|nenhuma|ninguém|nem)$/iu;
/** Romance pronouns said between a negation and its verb ("ne *lui* propose pas", "no *se* puede"). */
const ROMANCE_CLITICS = new Set(
  "me te se nous vous lui leur y m' t' s' n' lo la le les ci si mi ti vi ne gli".split(' '),
);

/** German and Dutch negations: their clauses end with the verb they negate. */
const VERB_FINAL_NEGATION =
  /^(?:nicht|nichts|nie|niemals|kein|keine|keinen|keinem|keiner|keines|weder|niet|niets|nooit|geen)$/iu;
/** How many words after a verb-final negation its clause may run and be kept whole. */
const VERB_FINAL_REACH = 8;
/** How far a verb-final clause's end is looked for; past it, the clause's last word is not kept. */
const CLAUSE_REACH = 20;
const CLAUSE_RUN = new RegExp(
  String.raw`^(?:[ \t]+(?:[^\s.,;:!?()"]|[.,:](?=[^\s.,;:!?()"]))+){1,${CLAUSE_REACH}}`,
  'u',
);
/**
 * The words of a clause from `from` (right after a negation) to its end (a sentence end, comma,
 * bracket, quote or line end; a point or colon inside a word, as in "10:00" or "z.B", ends none):
 * their count, their length in characters, and where the last of them starts. Undefined when the
 * clause runs past CLAUSE_REACH words or has no word left.
 */
function clauseRest(text: string, from: number): { words: number; length: number; lastWord: number } | undefined {
  const rest = CLAUSE_RUN.exec(text.slice(from))?.[0];
  if (!rest) return undefined;
  // Ended by the word cap rather than by punctuation or the line: no clause end in reach.
  if (!/^[ \t]*(?:$|[\n\r.,;:!?()"])/u.test(text.slice(from + rest.length))) return undefined;
  const words = rest.trim().split(/\s+/u);
  const lastWord = rest.length - (words.at(-1) as string).length;
  return { words: words.length, length: rest.length, lastWord };
}

/**
 * Where a negation's reach ends: through the first word of its clause that is no closed-class word
 * ("not started", "don't drink", "not a problem"), and on through the next such word when one
 * follows within NEGATED_REACH words in the same clause, the negated verb's object ("does not eat
 * pork", "not doing the mythic"). The negation alone kept went before the next kept word, which it
 * never negated (review: "He has not started that report. He is worried" came back "not worried"),
 * and the verb alone kept said the opposite of what was refused (review: "She does not eat pork."
 * read "not eat"; "I'm not doing the mythic, only normal" read "not doing normal"). Past the object,
 * the word after it when it is content (a compound's head, "on Wednesday mornings"), or else a
 * preposition and its word, the object's qualifier ("terminate this Agreement for convenience",
 * "marking upstream as stale"; review: without them the denial read wider than the one said).
 */
function negatedEnd(text: string, from: number, romance = false): number {
  const rest = /^(?:[ \t]+[^\s.,;:!?()"]+){1,8}/u.exec(text.slice(from))?.[0] ?? '';
  const words: { word: string; end: number }[] = [];
  let end = from;
  for (const m of rest.matchAll(/[ \t]+([^\s]+)/gu)) {
    end += m[0].length;
    words.push({ word: m[1] as string, end });
  }
  // After a Romance negation, its language's glue and the negation's other half ("ne ... pas") are
  // no content either.
  const content = (k: number) => {
    const word = (words[k] as { word: string }).word;
    if (isClosedClass(word, false)) return false;
    const b = bareWord(word);
    return !(romance && (ROMANCE_GLUE.has(b) || ROMANCE_CLITICS.has(b) || ROMANCE_NEGATION.test(b)));
  };
  const verb = words.findIndex((_, k) => k < 3 && content(k));
  // Only small words follow before the clause ends ("not at all."): the negation alone.
  if (verb < 0) return from;
  // A ban on two verbs ("not smoke *or drink* alcohol"): the object is the second verb's, looked for
  // past it. Ending on the alternative's verb, a dentist's "Do not smoke or drink alcohol" read "Do
  // not smoke or drink", what may not be drunk gone (session 40 W1).
  const second = verb + 2;
  const first =
    ALTERNATIVE.has(bareWord(words[verb + 1]?.word ?? '')) && words[second] && content(second) ? second : verb;
  // Not past a conjunction that opens the next clause: "takes no cards and the non-profit meets"
  // negates the cards only.
  const opens = words.findIndex((w, k) => k > first && CLAUSE_OPENERS.has(bareWord(w.word)));
  const reached = words.findIndex(
    (_, k) => k > first && k <= first + NEGATED_REACH && (opens < 0 || k < opens) && content(k),
  );
  // A word right after "to" is a verb ("not try *to reset* your password"), not the object: the
  // reach goes on to its own object within two words. Ending on it, an IT notice's "Do not try to
  // reset your password during the outage." read "Do not try to reset" (session 38, F13).
  const infinitive = reached > first + 1 && bareWord((words[reached - 1] as { word: string }).word) === 'to';
  const object = infinitive
    ? words.findIndex((_, k) => k > reached && k <= reached + 2 && (opens < 0 || k < opens) && content(k))
    : -1;
  const next = object >= 0 ? object : reached;
  // The object's qualifier after a preposition, over a determiner ("from *the* on-call laptop"),
  // with its compound's head: the word index it ends on, or -1.
  const qualifier = (k: number) => {
    const glue = bareWord(words[k + 1]?.word ?? '');
    const preposition =
      QUALIFIER_GLUE.has(glue) || PLACE_TIME_PREPOSITIONS.has(glue) || (romance && ROMANCE_GLUE.has(glue));
    if (!preposition) return -1;
    const determiner = DETERMINERS.has(bareWord(words[k + 2]?.word ?? ''));
    const noun = determiner ? k + 3 : k + 2;
    if (!words[noun] || !content(noun)) return -1;
    // On through the noun phrase's modifiers to its head, two words at most ("near overhead *power
    // lines*": ending on "overhead" left the danger unsaid).
    let head = noun;
    while (
      head < noun + 2 &&
      words[head + 1] &&
      content(head + 1) &&
      !PLACE_TIME_PREPOSITIONS.has(bareWord((words[head + 1] as { word: string }).word))
    ) {
      head++;
    }
    return head;
  };
  if (next < 0) {
    // A pronoun as the object: "Do not renew *it from the on-call laptop*" read "not renew", and the
    // next kept noun ("Vault") came to read as what is not renewed (review 3).
    if (!OBJECT_PRONOUNS.has(bareWord(words[first + 1]?.word ?? ''))) return (words[first] as { end: number }).end;
    // A phrasal verb's particle after the pronoun ("do not turn it *on* for all merchants"): a
    // particle, not a preposition, when no noun phrase follows it.
    const after = bareWord(words[first + 3]?.word ?? '');
    const particle =
      PARTICLES.has(bareWord(words[first + 2]?.word ?? '')) &&
      (!words[first + 3] || (!content(first + 3) && !DETERMINERS.has(after)));
    const object = particle ? first + 2 : first + 1;
    const q = qualifier(object);
    return (words[q >= 0 ? q : object] as { end: number }).end;
  }
  // The object's qualifier, a preposition and its word ("terminate this Agreement *for convenience*",
  // "not marking upstream *as stale*"): without it the denial is wider than the one said (review).
  // A noun after the object, its compound's head ("not available on Wednesday *mornings*"), too.
  const glue = bareWord((words[next + 1] as { word: string } | undefined)?.word ?? '');
  // "not promise refunds *or chargebacks*": an alternative is the object's other half. Ending on the
  // "or" left it to join whatever word came next, in the next sentence too (review: "Do NOT promise
  // refunds or chargebacks. You may say that a dispute can be opened" read "NOT promise refunds or
  // dispute", what was allowed read as forbidden).
  if (ALTERNATIVE.has(glue)) {
    const other = words[next + 2] && content(next + 2) ? next + 2 : next;
    return (words[other] as { end: number }).end;
  }
  // A preposition of place or time is no compound's head but opens the object's qualifier: ending on
  // it, "Do not try to reset your password during the outage." read "... your password during", and
  // the next sentence's first kept word came to read as its object (session 39).
  if (words[next + 1] && content(next + 1) && !PLACE_TIME_PREPOSITIONS.has(glue)) {
    // A qualifier of place or time after the compound's head (a number, a letter: "bay 4 *during the
    // works*") limits the ban: ending on the head, "Do not park in bay 4 during the works" read "Do
    // not park in bay 4", a ban for the works read as one for good (session 40).
    const limit = PLACE_TIME_PREPOSITIONS.has(bareWord(words[next + 2]?.word ?? '')) ? qualifier(next + 1) : -1;
    return (words[limit >= 0 ? limit : next + 1] as { end: number }).end;
  }
  // A Romance object's qualifier too: "non mangia carne *di maiale*" (pork, not meat).
  const q = qualifier(next);
  return (words[q >= 0 ? q : next] as { end: number }).end;
}

/** A modal or a form of "be" after a noun phrase "no" opens: the phrase is the clause's subject. */
const SUBJECT_VERB = new Set('may might must can could shall should will would is are was were'.split(' '));
/** How many words of a clause after "No ... may" are kept whole with it. */
const NO_CLAUSE_REACH = 8;

/** How many words of the noun phrase a determiner "no" opens are kept with it. */
const NOUN_PHRASE_WORDS = 3;

/**
 * Where the noun phrase a determiner "no" opens ends: its open-class words right after it, up to
 * NOUN_PHRASE_WORDS ("no *flat fee*", "No *known food allergies*", "no *VAT charged*"), and the
 * qualifier after them, a preposition and its word ("No parking spots *for employees*"). Narrower than
 * a verb's reach (negatedEnd): a chat says "no idea what you mean", and the words after the noun are
 * no part of what it denies. Measured: with negatedEnd's reach LoCoMo plain at keep 0.33 kept 97 of
 * 105 answers on the tuning sessions (98 before "no" was locked), with this one 98.
 */
function nounPhraseEnd(text: string, from: number): number {
  const rest = /^(?:[ \t]+[^\s.,;:!?()"]+){1,6}/u.exec(text.slice(from))?.[0] ?? '';
  let end = from;
  let run = 0;
  const words = [...rest.matchAll(/[ \t]+(\S+)/gu)].map((w) => {
    end += w[0].length;
    return { word: w[1] as string, end };
  });
  while (
    run < NOUN_PHRASE_WORDS &&
    words[run] &&
    !isClosedClass((words[run] as { word: string }).word, false) &&
    !(run > 0 && SUBJECT_VERB.has(bareWord((words[run] as { word: string }).word)))
  )
    run++;
  if (!run) return from;
  const glue = bareWord(words[run]?.word ?? '');
  // "No checked baggage *may contain lithium power banks*": the noun phrase is the subject of a
  // modal or a passive, and the "no" denies the whole clause; its verb and object are what is
  // forbidden (review 3: it read "No checked baggage may", what it may not contain gone).
  if (SUBJECT_VERB.has(glue)) {
    const after = (words[run] as { end: number }).end;
    const clause = clauseRest(text, after);
    return clause && clause.words <= NO_CLAUSE_REACH ? after + clause.length : negatedEnd(text, after);
  }
  const object = words[run + 1];
  if (QUALIFIER_GLUE.has(glue) && object && !isClosedClass(object.word, false)) return object.end;
  return (words[run - 1] as { end: number }).end;
}

/** Conjunctions that open a clause of their own: a negation's object is not looked for past them. */
const CLAUSE_OPENERS = new Set('and but so because while though although whereas then'.split(' '));

/** Conjunctions that join an alternative to a negated object ("refunds or chargebacks"). */
const ALTERNATIVE = new Set(['or', 'nor']);

/** Prepositions that open an object's qualifier ("for convenience", "as stale"); not "and", "or". */
const QUALIFIER_GLUE = new Set('for as at in on to with by from of about into'.split(' '));

/**
 * Prepositions the lexicon counts as content ("before 9 am" says when): after a negated object they
 * open its qualifier ("not use it *near water*"), as QUALIFIER_GLUE's do, rather than end the reach.
 */
const PLACE_TIME_PREPOSITIONS = new Set(
  'during without until near across within through between before after under over behind beside inside outside around against towards toward beyond below above'.split(
    ' ',
  ),
);

/** Object pronouns: after a negated verb, its object ("do not renew *it*"). */
const OBJECT_PRONOUNS = new Set('it them this that these those him her me us'.split(' '));

/** Determiners between a qualifier's preposition and its noun ("from *the* laptop", "for *all* merchants"). */
const DETERMINERS = new Set(
  'the a an this that these those my your his her its our their all every any each'.split(' '),
);

/** A phrasal verb's particles ("turn it *on*", "switch it *off*", "give it *back*"). */
const PARTICLES = new Set('on off up down out in back over away'.split(' '));

/** How many words past the negated word its object may lie ("not eat *pork*", "not doing the *mythic*"). */
const NEGATED_REACH = 3;
