import type { MemoryUnit, ParsedMemory } from './memory-units.ts';

/**
 * Small talk in a chat, in the languages a memory comes in: a greeting, thanks, a goodbye, an
 * apology or a wish, with nothing else than the words around such phrases and the names it
 * addresses ("Gern geschehen! Ich wünsche Ihnen einen schönen Tag, Herr Yılmaz.", "Nein, danke.",
 * "Merci, bonne journée !"). In query mode it answers no question, yet a name the question gives
 * (the customer's, said in every polite turn) ranked it first (review 3 F-18, F-32: a German
 * support chat kept "Nein, danke." and the goodbye, not the refund's amount). Such units go below
 * every other, as an email's salutations do (email-frames.ts). The pruner's lexicon
 * (generation/strategies/pruned/lexicon.ts SMALL_TALK) is English, and drops turns whole; this one
 * only orders.
 */

/** Words that make a phrase small talk: greetings, thanks, goodbyes, welcomes, apologies. */
const CORE = new Set(
  // English
  (
    'hi hello hey hiya thanks thank thx cheers bye goodbye welcome sorry apologies congrats congratulations ' +
    // German
    'hallo moin servus danke dankeschön tschüss tschüs wiedersehen wiederhören willkommen entschuldigung leid geschehen ' +
    // French
    'bonjour bonsoir salut merci revoir bienvenue désolé désolée ' +
    // Spanish, Italian, Portuguese
    'hola gracias adiós adios bienvenido bienvenida ciao buongiorno buonasera grazie arrivederci benvenuto olá ' +
    'obrigado obrigada tchau adeus ' +
    // Dutch, Polish
    'hoi bedankt doei ziens welkom cześć dziękuję dzięki przepraszam widzenia'
  ).split(' '),
);

/** Words that stand around those phrases: "have a nice day", "einen schönen Tag", "de rien". */
const AROUND = new Set(
  // English
  (
    "good morning afternoon evening night day nice great lovely wonderful have a an the you your you're youre so " +
    'much very lot many and to too for all everyone everybody folks guys again see later soon take care talk ' +
    // No "it", "was", "is", "I", "me", "we", "my": "Sorry, it was me." answers who did it (re-read of session 30).
    "problem worries that's thats i'm im pleasure glad happy ok okay sure perfect cool " +
    'awesome one moment please just of course weekend mr mrs ms miss dr sir madam mme mlle sr sra ' +
    // German
    'guten tag morgen abend und ihnen ihr einen schönen schöne schönes sehr vielen auch ich wünsche noch ' +
    'gleichfalls ebenfalls bitte schön moment super alles klar das tut mir es gern gerne herr frau wochenende auf ' +
    // French
    'bonne journée soirée beaucoup à au bientôt de rien je vous en prie très et monsieur madame ' +
    // Spanish, Italian, Portuguese
    'buenos buenas días tardes noches muchas muy nada hasta luego pronto y señor señora mille molto presto prego ' +
    'bom boa dia tarde noite muito ' +
    // Dutch, Polish
    'goede middag avond wel je u tot dag dzień dobry do'
  ).split(' '),
);

/** Yes and no: small talk beside thanks ("Nein, danke."), an answer alone ("Nein."). */
const YES_NO = new Set('yes yeah yep no nope ja nein oui non sí si nee tak nie sim não'.split(' '));

/** The words of a text, lowercase, without their punctuation. */
const wordsOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}']+/gu) ?? [];

/**
 * The names a unit may address: capitalised words of the memory's labels ("Kunde (Herr Yılmaz):"),
 * a capitalised word after an honorific, and one closing a sentence after a comma (", Sam!").
 */
function addressed(text: string, labelNames: ReadonlySet<string>): Set<string> {
  const out = new Set(labelNames);
  for (const m of text.matchAll(
    /\b(?:Herr|Frau|Mr|Mrs|Ms|Miss|Dr|Monsieur|Madame|Mme|M|Señor|Señora|Sr|Sra)\.?\s+([\p{Lu}][\p{L}'-]+)/gu,
  ))
    out.add((m[1] as string).toLowerCase());
  for (const m of text.matchAll(/,\s*([\p{Lu}][\p{L}'-]+)\s*[.!?]*\s*$/gmu)) out.add((m[1] as string).toLowerCase());
  return out;
}

/** Whether a unit's body (its label aside) is small talk alone. */
export function isSmallTalk(body: string, labelNames: ReadonlySet<string> = new Set()): boolean {
  // A number, a link or an address is something to keep: "Thanks, see you at 18:00".
  if (/[\p{N}@/]/u.test(body)) return false;
  const words = wordsOf(body);
  if (!words.length || words.length > 16) return false;
  const names = addressed(body, labelNames);
  return (
    words.some((w) => CORE.has(w)) && words.every((w) => CORE.has(w) || AROUND.has(w) || YES_NO.has(w) || names.has(w))
  );
}

/**
 * The units of a chat that are small talk alone (none in a document: a letter's "Thank you" is its
 * own), and in any memory the sign-off and signature that close a message (signatureUnits).
 */
export function smallTalkUnits(memory: ParsedMemory): Set<number> {
  const out = signatureUnits(memory);
  if (memory.format !== 'dialogue') return out;
  const labelNames = new Set(
    memory.units.flatMap((u) => (u.label ? wordsOf(u.label).filter((w) => !CORE.has(w) && !AROUND.has(w)) : [])),
  );
  for (const u of memory.units) {
    if (u.pinned || u.kind === 'code') continue;
    const body = bodyOf(u);
    if (!isSmallTalk(body, labelNames)) continue;
    // "Yes, thank you." answering the other's real question ("Should I cancel the order?") is the
    // answer; after an offer of more help ("Anything else?") or no question, it is small talk.
    const before = memory.units[u.index - 1];
    if (
      before &&
      before.speaker !== u.speaker &&
      wordsOf(body).some((w) => YES_NO.has(w)) &&
      bodyOf(before).includes('?') &&
      !OFFER.test(bodyOf(before)) &&
      !isSmallTalk(bodyOf(before), labelNames)
    )
      continue;
    out.add(u.index);
  }
  return out;
}

/** A closing offer of more help, whose "No, thanks." says nothing: "Anything else?", "Sonst noch etwas?". */
const OFFER =
  /\b(?:anything else|something else|else i can|autre chose|sonst noch|noch etwas|algo más|alguna otra cosa|qualcos['’]altro|mais alguma coisa|nog iets|coś jeszcze)/iu;

const bodyOf = (u: MemoryUnit): string => (u.first && u.label ? u.text.slice(u.label.length) : u.text);

/** A sign-off alone on its line: "Best regards,", "Kind regards", "Sincerely,", "Thanks,", "Cheers". */
export const SIGN_OFF =
  /^(?:(?:(?:best|kind|warm|warmest|many|with)\s+)?(?:regards|wishes|thanks)|(?:yours\s+)?(?:sincerely|truly|faithfully)|cheers|thanks|thank you|best|all the best|mit freundlichen grüßen|viele grüße|beste grüße|liebe grüße|cordialement|bien à vous|saludos|un saludo|cordiali saluti|met vriendelijke groet)[,.!]?$/iu;

/** At most this many lines of a signature under its sign-off: a name, a title, a company, a phone. */
const SIGNATURE_LINES = 5;

/**
 * A signature's line: a few words that are no sentence ("Leo Hartmann", "Customer Support
 * Specialist", "FiberNet Ltd | 0800 123 4567 | support@fibernet.example"): no stop, question or
 * colon closing it, no list marker opening it.
 */
const isSignatureLine = (text: string): boolean =>
  text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length <= 8 &&
  !/[.!?:]$/.test(text) &&
  !/^(?:[-*+•]|\d+[.)])\s/u.test(text);

/**
 * The units of a message's close: a sign-off alone on its line and the signature lines right under
 * it, up to a blank line, a separator or the memory's end (review: a support chat with the follow-up
 * email pasted under it kept "Best regards / Customer Support Specialist" at ratio 0.1, its name
 * dropped, where the chat's facts went). Email memories have theirs in email-frames.ts too; these
 * close a message anywhere, a chat's pasted email, a note's copied letter. Any line under the
 * sign-off that reads as a sentence ("P.S. The code is 4411.") leaves the whole close as it was.
 */
export function signatureUnits(memory: ParsedMemory): Set<number> {
  const out = new Set<number>();
  const { text, units } = memory;
  const aloneOnLine = (u: MemoryUnit) =>
    (u.start === 0 || text[u.start - 1] === '\n') &&
    (u.end >= text.length || /^\r?\n/.test(text.slice(u.end, u.end + 2)));
  for (const u of units) {
    if (u.pinned || u.kind === 'code' || u.label || !aloneOnLine(u) || !SIGN_OFF.test(u.text.trim())) continue;
    const block = [u.index];
    let at = u.end;
    let closed = false;
    for (let j = u.index + 1; j < units.length && block.length <= SIGNATURE_LINES + 1; j++) {
      const next = units[j] as MemoryUnit;
      const between = text.slice(at, next.start);
      // A blank line or a separator ends the signature.
      // CRLF text too (re-read of session 32: a Windows email's signature was never found).
      if (/\n[ \t\r]*\n/.test(between) || /\n[ \t]*[-=_—]{3,}/.test(between)) {
        closed = true;
        break;
      }
      if (next.pinned || next.kind === 'code' || next.label || !aloneOnLine(next) || !isSignatureLine(next.text.trim()))
        break;
      block.push(j);
      at = next.end;
      if (j === units.length - 1) closed = /^\s*$/.test(text.slice(next.end));
    }
    if (block.length === 1) closed = /^\s*$/.test(text.slice(u.end)) || /^\s*\n[ \t]*\n/.test(text.slice(u.end));
    if (closed && block.length <= SIGNATURE_LINES + 1) for (const i of block) out.add(i);
  }
  return out;
}
