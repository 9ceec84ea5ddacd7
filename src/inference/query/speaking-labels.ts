/**
 * Which `Label: text` lines of a memory are people speaking and which are a document's fields.
 * Both look alike ("Caroline: I moved in May", "Hausaufgabe: Buch S. 84, Nr. 3 a–f."), but a turn
 * goes on over the unlabelled lines under it and its label is repeated before a later sentence
 * kept without the first, where a field's is not: read as a speaker, "Termin geändert:" took the
 * next line as its own and was shown before another line kept alone, a change that never was
 * (review, session 32: tutoring notes, a podcast's "Host: Nadia Brooks." over "Recorded 19
 * September 2024.").
 */

/** One line opening with a label: its name as read (`Caroline`, `Termin geändert`) and the text after it. */
export interface LabelUse {
  name: string;
  value: string;
  /** Written as a chat writes its turns: a stamp before the name, a message head, a thread mark. */
  chat: boolean;
}

/**
 * Words only a speaker says of themselves or to the other: first and second persons, greetings and
 * thanks, in the languages the memories come in. A field's value names a thing; a person's turn,
 * over a conversation, says "I", "we" or "you" (every speaker of LoCoMo's does). Words that are
 * also another language's article or an abbreviation ("du", "EU", "US", "IO") or a field's value
 * ("yes", "OK") are left out.
 */
const SPEECH =
  /(?<![\p{L}\p{N}'’])(?:i|i['’](?:m|ve|ll|d)|me|my|mine|myself|we|we['’](?:re|ve|ll|d)|our|ours|you|you['’](?:re|ve|ll|d)|your|yours|yourself|thanks|thank|thx|hi|hey|hello|yeah|yep|lol|haha|ich|mich|mir|mein\p{L}*|wir|uns|unser\p{L}*|dich|dir|dein\p{L}*|euch|euer|danke|hallo|je|j['’]|moi|nous|notre|tu|toi|vous|votre|merci|bonjour|salut|nosotr[oa]s|tú|usted|ustedes|gracias|hola|noi|voi|grazie|ciao|nós|você|obrigad[oa]|olá|ik|mij|mijn|wij|jij|jouw|bedankt|hoi)(?![\p{L}\p{N}'’])/giu;

/**
 * Whether a line's text says one of SPEECH's words as a word, not as an abbreviation in capitals
 * ("TU Delft" is no French "tu", "WIR" no German "wir"); "I" is a capital alone.
 */
const speaks = (value: string): boolean =>
  [...value.matchAll(SPEECH)].some((m) => m[0].length < 2 || m[0] !== m[0].toUpperCase());

/** A question asked: a sentence ending on a question mark, as a person asks and a field's value seldom does. */
const ASKS = /\?["'’”)\]]*(?:\s|$)/;

/** Who a chat with a model, a Q&A or a note to oneself is between: speakers whatever they say ("User: book a table for 2"). */
const ROLES = new Set(['user', 'assistant', 'human', 'ai', 'bot', 'system', 'model', 'me', 'q', 'a']);

/** The lower-case words of a name that are no sign of a field ("Ludwig van Beethoven", "María de la Cruz"). */
const PARTICLES = new Set([
  'van',
  'von',
  'de',
  'da',
  'del',
  'della',
  'di',
  'du',
  'la',
  'le',
  'der',
  'den',
  'ten',
  'ter',
  'bin',
  'med.',
  'al',
  'el',
  'y',
]);

/**
 * A label of several words one of which is in lower case, not a name's particle nor a title
 * ("Termin geändert", "Next steps", "Nächstes Thema"; not "Dr. med. Weber"): a name is written in
 * capitals, a role mostly in one word.
 */
function fieldShaped(name: string): boolean {
  const words = name.trim().split(/\s+/);
  return words.length > 1 && words.slice(1).some((w) => /^\p{Ll}/u.test(w) && !PARTICLES.has(w.toLowerCase()));
}

/**
 * The names (lower case) of the labels that are fields, not speakers: none of their lines is
 * written as a chat's turn or by a role, none says "I", "we" or "you" nor asks, none answers a
 * speaker's question, and no speaker names them; or the label is shaped as a field's and speaks in
 * one line at most. A speaker who says nothing of the kind ("Bob: 5pm works") reads as a field
 * too, which costs little: a field's line is kept as written, its label in it.
 */
export function fieldNames(uses: readonly LabelUse[]): Set<string> {
  const speakers = new Set<string>();
  const all = new Set<string>();
  const shaped = new Set<string>();
  /** How many lines each label shaped as a field speaks in. */
  const spoken = new Map<string, number>();
  for (const u of uses) {
    const name = u.name.trim().toLowerCase();
    all.add(name);
    const says = u.chat || ROLES.has(name) || speaks(u.value) || ASKS.test(u.value);
    if (fieldShaped(u.name)) {
      shaped.add(name);
      if (says) spoken.set(name, (spoken.get(name) ?? 0) + (u.chat ? 2 : 1));
    } else if (says) speakers.add(name);
  }
  // A role of two words ("Customer service:", "Team lead:") speaks again and again, or as a chat
  // writes it; a field's label ("Nächste Schritte: wir melden uns") says "we" once.
  for (const [name, lines] of spoken)
    if (lines >= 2) {
      shaped.delete(name);
      speakers.add(name);
    }
  // Whoever's line comes right after a speaker's question answers it: "Kofi: did you seed the
  // fixture?" / "Maya: Yes." (a person may say nothing of themselves: "Luis: Muy bien, 300 euros al mes").
  for (let changed = true; changed; ) {
    changed = false;
    uses.forEach((u, k) => {
      const before = uses[k - 1];
      const name = u.name.trim().toLowerCase();
      if (!before || speakers.has(name) || shaped.has(name)) return;
      const asker = before.name.trim().toLowerCase();
      if (asker === name || !speakers.has(asker) || !ASKS.test(before.value)) return;
      speakers.add(name);
      changed = true;
    });
  }
  // Someone a speaker names ("Thanks for having me, Nadia") is a person too, whatever they say.
  // Each name once, a name of one word looked up among the words said: a regex per label line tried
  // on every speaker's line was quadratic (4,000 field lines beside 4,000 turns took 2 s).
  const said = uses
    .filter((u) => speakers.has(u.name.trim().toLowerCase()))
    .map((u) => u.value)
    .join('\n');
  const saidWords = new Set(said.split(/[^\p{L}\p{N}]+/u));
  const tried = new Set<string>();
  for (const u of uses) {
    const name = u.name.trim();
    if (tried.has(name) || shaped.has(name.toLowerCase()) || speakers.has(name.toLowerCase())) continue;
    tried.add(name);
    const named = /^[\p{L}\p{N}]+$/u.test(name)
      ? saidWords.has(name)
      : new RegExp(`(?<![\\p{L}\\p{N}])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'u').test(
          said,
        );
    if (named) speakers.add(name.toLowerCase());
  }
  return new Set([...all].filter((n) => shaped.has(n) || !speakers.has(n)));
}

/** A title before a person's name ("Dr. Tomás Ferreira", "Prof Lee"). */
const NAME_TITLE = String.raw`(?:(?:Dr|Prof|Mr|Mrs|Ms|Mx|Sir|Dame|Rev)\.?\s+)`;
/** A word of a name: capitalised, an initial, or a name's particle ("van", "de la"). */
const NAME_WORD = String.raw`(?:\p{Lu}[\p{Ll}\p{Lu}'’-]*\.?|${[...PARTICLES].map((p) => p.replace('.', '\\.')).join('|')})`;

/**
 * A label's value that is someone's name, maybe with what they are ("Nadia Brooks.", "Dr. Tomás
 * Ferreira, researcher at TU Delft."): two name words or more (or a title and one), then the
 * line's end or a stop. A transcript's opening names who its roles are ("Host: Nadia Brooks.
 * Guest: Dr. Tomás Ferreira, ..."): that line says who, it is no turn of the host's.
 */
const NAMED_VALUE = new RegExp(
  String.raw`^(?:${NAME_TITLE}${NAME_WORD}(?:\s+${NAME_WORD}){0,3}|\p{Lu}[\p{Ll}'’-]+(?:\s+${NAME_WORD}){1,3})(?:\s*[.,;(–—]|\s+-\s|$)`,
  'u',
);

/** A greeting's capitalised words, shaped as a name ("Good Morning.", "Happy Birthday, Anna"). */
const GREETING = /^(?:good|happy|merry|guten|buen[oa]s?|bonne?|buon[ao]?|feliz|frohe?)(?![\p{L}])/iu;

/** Whether a label's value only names a person (and what they are), saying nothing as a speaker says. */
export function namesSomeone(value: string): boolean {
  const v = value.trim();
  return NAMED_VALUE.test(v) && !GREETING.test(v) && !speaks(v) && !ASKS.test(v);
}

/**
 * The roles a show, an interview or a panel names its people by ("Host:", "Guest 2:", "Moderator:"):
 * a label naming no person, whose value may be the person it stands for.
 */
const CAST_ROLE =
  /^(?:co-?host|host|guest|interviewer|interviewee|moderator|panell?ist|presenter|narrator|speaker|caller|chair|anchor|reporter|correspondent|gast|gastgeber(?:in)?|moderator(?:in)?|invité|invitée|animateur|animatrice|invitad[oa]|presentador[a]?|entrevistador[a]?)(?:\s*\d+)?$/iu;

/** Whether a label is a show's role, not a person's name (CAST_ROLE). */
export const isCastRole = (label: string): boolean => CAST_ROLE.test(label.trim());
