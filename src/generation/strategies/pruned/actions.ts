import type { ProtectedSpan } from '../../protect.ts';

/**
 * Who does what to what: an action item's verb with its object, a hand-over with whom it goes to,
 * a field's owner. The pruner ranks the object and the "to" low (predictable after the verb), and
 * without them an action or a hand-over reads as two names side by side (session 33: "Send the
 * contract to Noor" read "Send Noor"; "Sofia Reyes left the project; her testing work goes to Dev
 * Patel" read "Sofia Reyes Dev Patel", which of them has the work unsaid; a tenancy's "3.1 to keep
 * the interior ... clean" read "3.1"). Locked by phraseSpans (lexicon.ts).
 */

/** A word of a clause: no sentence or clause mark, no bracket. */
const W = String.raw`[^\s.,;:!?()\[\]]+`;
/** A word that opens a noun phrase: the object follows. */
const DET = String.raw`(?:the|a|an|our|their|his|her|my|your|its|this|that|these|those|all|both|each|every|any)(?![\p{L}'’-])`;
/** A preposition: the object has ended before it ("Ask the landlord *for* the keys"). */
const PREP = String.raw`(?:to|for|with|by|at|on|in|of|from|about|before|after|until|into|onto|via|as|against|without|within|under|through|during|per|than|and|or|but)(?![\p{L}'’-])`;
/** A name of up to three capitalised words ("Noor", "Dev Patel"). Case-sensitive. */
const NAME = String.raw`\p{Lu}[\p{L}\p{M}'’-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’-]*){0,2}`;
/** `alternatives` ("send|give") with their first letter in either case, for a regex without the "i" flag. */
const eitherCase = (alternatives: string): string =>
  alternatives
    .split('|')
    .map((w) => `[${w[0]}${(w[0] as string).toUpperCase()}]${w.slice(1)}`)
    .join('|');

/**
 * An item's action: after a list item's or a clause's marker ("-", "1.", "3.1", "(a)") and an
 * owner's label ("Aisha:"), an infinitive ("to keep the interior", "not to keep any pets") or a verb
 * with its object's determiner after it ("Send the contract", "get the Safari fix"), with up to two
 * words of its object, before a preposition or a second object ("Email the staff *the* plan"). A determiner right after a list item's first word is
 * what marks it a verb ("- Design sign-off: done" has none).
 */
const ACTION = new RegExp(
  String.raw`^[ \t]*(?:[-*•‣–+][ \t]+(?:\[[ xX]\][ \t]+)?|\d{1,3}(?:\.\d{1,3}){0,3}[.)]?[ \t]+|\((?:[a-z]|[ivx]{1,5}|\d{1,2})\)[ \t]+)(?:\p{Lu}[\p{L}\p{M}'’-]*(?:[ \t]+\p{Lu}[\p{L}\p{M}'’-]*)?(?:[ \t]*\([^()\n]{1,30}\))?[ \t]*:[ \t]*)?((?:(?:not[ \t]+)?to[ \t]+${W}|${W}(?=[ \t]+${DET}))(?:[ \t]+${DET})?(?:[ \t]+(?!${PREP}|${DET})${W}){0,2})`,
  'gimu',
);

/**
 * A hand-over: a verb that passes something on, then "to" and whom ("her testing work goes to Dev
 * Patel", "hands the network cabling over to Ian", "Send the contract to Noor"), with up to three
 * words before the verb (what is handed over) and four between it and its "to".
 */
const HANDOVER = new RegExp(
  String.raw`(?<![^\s.,;:!?()\[\]])(?:${W}[ \t]+){0,3}?(?:${eitherCase('goes|go|went|gone|pass|passes|passed|hand|hands|handed|give|gives|gave|given|send|sends|sent|move|moves|moved|assign|assigns|assigned|reassign|reassigns|reassigned|transfer|transfers|transferred|forward|forwards|forwarded|delegate|delegates|delegated|return|returns|returned|report|reports|reported')})(?:[ \t]+${W}){0,4}?[ \t]+(?:over[ \t]+)?to[ \t]+${NAME}`,
  'gu',
);

/**
 * A duty: "shall" or "must" (and "not") with the verb and up to two words of its object, before a
 * preposition ("The Landlord shall insure the building against fire" read "5.1 Landlord", the duty
 * gone: session 33, a contract's clauses). Not "will" nor "may": a chat says them of anything.
 */
const DUTY = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:shall|must)(?:[ \t]+not)?[ \t]+(?!${PREP})${W}(?:[ \t]+${DET})?(?:[ \t]+(?!${PREP}|${DET})${W}){0,2}`,
  'giu',
);

/** A Spanish, French, Italian or Portuguese preposition or conjunction: a duty's object has ended before it. */
const ROMANCE_PREP = String.raw`(?:de|del|della|dello|dei|degli|delle|du|des|à|a|al|alla|allo|ai|au|aux|en|con|avec|per|pour|por|par|pelo|pela|para|dans|sur|avant|antes|entro|prima|desde|hasta|jusqu\S*|et|e|y|ou|ma|mais|pero|mas|no|ne|non|não)(?![\p{L}'’-])`;
/**
 * A duty in Spanish, French, Italian or Portuguese, as DUTY in English: the modal ("deben", "doivent",
 * "devono", "devem", "il faut", "hay que", "bisogna") with the verb and up to three words of its
 * object (their articles are words of their own), before a preposition. Thinned, a building's notice
 * kept "bicicletas" without "deben retirar", and "doivent prévenir le gardien" and "devono portare il
 * pranzo" went (sessions 38-39). None of the modals is an English word; "devi" is left out (a name).
 */
const ROMANCE_DUTY = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:deb(?:e|en|es|emos|éis)|doi(?:t|vent)|dev(?:ez|ons|e|ono|em|emos)|dovete|dobbiamo|(?:il[ \t]+)?faut|hay[ \t]+que|tienen?[ \t]+que|bisogna)(?:[ \t]+(?:se|si|le|la|les|lo|vous|nous|ci|vi))?[ \t]+(?!${ROMANCE_PREP})[^\s.,;:!?()\[\]]+(?:[ \t]+(?!${ROMANCE_PREP})[^\s.,;:!?()\[\]]+){0,3}`,
  'giu',
);

/** A duty ending on a passive participle: "must be accompanied", "deben ir acompañados", "doivent être accompagnés". */
const PASSIVE_END = /(?:ed|en|ad[oa]s?|id[oa]s?|é|ée|és|ées|[aiu]t[oiea])$/iu;
/**
 * The agent after such a duty, the preposition that names it with an article and its noun: "by an
 * adult", "de un adulto", "por um adulto", "par un parent", "da un adulto". A duty's object ends
 * before a preposition, and "Los menores deben ir acompañados de un adulto" read "deben ir
 * acompañados", by whom gone (session 38, F3).
 */
const AGENT =
  /^[ \t]+(?:by|de|por|par|da|dal|dalla|pelo|pela)[ \t]+(?:(?:an?|the|their|un|une|uno|una|um|uma|el|la|le|les|los|las|o|os|il|lo|gli|i|leur|su|sus|seu|sua|his|her)[ \t]+)?[^\s.,;:!?()[\]]+/iu;

/**
 * A move from one team, place or state to another, with both ends: "moved from the data team to
 * payments on Monday" read "Marek Nowak Monday" (session 33). Up to three words each.
 */
const MOVE = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:mov(?:e|es|ed|ing)|transferr?(?:s|ed|ing)?|switch(?:es|ed|ing)?|promoted)[ \t]+from[ \t]+(?:${W}[ \t]+){1,3}?to[ \t]+${W}(?:[ \t]+(?!${PREP})${W}){0,2}`,
  'giu',
);

/** Who leaves or joins a team, a project, a company: "Sofia Reyes *left the project*". */
const LEAVES = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:left|leaves|leaving|joined|joins|joining|quit|quits)[ \t]+(?:the|our|their|his|her)[ \t]+${W}`,
  'giu',
);

/** A field that names who is responsible: "Owner: Noor", "Assigned to: Dev Patel". */
const OWNER = new RegExp(
  String.raw`(?<![\p{L}'’-])(?:${eitherCase('owner|owners|assignee|assigned to|responsible|accountable|contact|reviewer|approver|lead')}|DRI)[ \t]*:[ \t]*${NAME}`,
  'gu',
);

/**
 * A verb whose "for" says what is asked, applied or paid for: the action's object runs on through it
 * ("- Ask the landlord for the keys" kept "Ask the landlord", what to ask for gone; session 35).
 */
const ASKS_FOR = /^(?:ask|apply|pay|wait|call|look|search|request)$/i;
/** "for", a determiner, and up to two words of what it is for, before another preposition. */
const FOR_OBJECT = new RegExp(String.raw`^[ \t]+for(?:[ \t]+${DET})?(?:[ \t]+(?!${PREP}|${DET})${W}){1,2}`, 'iu');

export function actionSpans(text: string): ProtectedSpan[] {
  const out: ProtectedSpan[] = [];
  for (const m of text.matchAll(ACTION)) {
    const action = m[1] as string;
    const start = m.index + m[0].length - action.length;
    const verb = action.split(/[ \t]+/)[0] as string;
    const more = ASKS_FOR.test(verb)
      ? FOR_OBJECT.exec(text.slice(start + action.length, start + action.length + 200))
      : null;
    out.push({ start, end: start + action.length + (more ? more[0].length : 0), kind: 'field' });
  }
  for (const re of [HANDOVER, MOVE, LEAVES, OWNER])
    for (const m of text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length, kind: 'field' });
  for (const re of [DUTY, ROMANCE_DUTY])
    for (const m of text.matchAll(re)) {
      const end = m.index + m[0].length;
      const agent = PASSIVE_END.test(m[0]) ? AGENT.exec(text.slice(end, end + 80)) : null;
      out.push({ start: m.index, end: end + (agent?.[0].length ?? 0), kind: 'field' });
    }
  return out;
}
