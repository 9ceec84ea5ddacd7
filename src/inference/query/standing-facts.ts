import { DRUG_NAME } from '../../generation/strategies/pruned/clinical.ts';
import {
  ALLERGY,
  CLOCK_TIME,
  DAY_PART,
  dayTimeWord,
  isInstruction,
  SAFETY,
  WEEKDAY,
} from '../../generation/strategies/pruned/lexicon.ts';
import { headingPath, type MemoryUnit, type ParsedMemory } from './memory-units.ts';

/**
 * Facts that hold whatever the question: an instruction for the assistant ("Always answer the user
 * in Spanish", "Never book red-eye flights") and what keeps the user safe at the table or the
 * pharmacy (an allergy, an intolerance, a diet, a condition). A question about a restaurant names
 * none of these words, and the selection dropped both (review: "Recommend a restaurant for
 * Saturday" lost "User is vegan and has a severe peanut allergy" and the answer-in-Spanish rule).
 * Only in a memory of facts or notes: a chat's turns ("Don't forget the cake!") are talk.
 */

/** Whether a fact's text (a line, a record's value) holds whatever the question. */
export const isStandingFact = (text: string): boolean => {
  const t = text.trim();
  return isInstruction(t) || SAFETY.test(text);
};

/**
 * Whether a standing fact bears on the question: an instruction for the assistant on every answer
 * (its language, its form); an allergy, an intolerance, a diet or a condition on a question about
 * eating, drinking, cooking or a medicine, or one naming such a word (asksAboutSafety). Any other
 * question is answered as well without them, and at a tight budget they took the answer's place
 * (review 4, F-22: for "Where does Cilla live now?" a kitten's chicken allergy and the user's
 * penicillin allergy were kept in 13 of 21 selections of a Mem0 export). A fact the question's own
 * words rank high is kept by its rank, standing or not. Asked of a JSON memory's records
 * (json-memory.ts) and of a text memory's lines (select.ts; review 5, F-11: in a discharge summary
 * at 0.1, "Which blood thinner was she started on?" kept "Penicillin (rash). No known food
 * allergies." in the place of "started on apixaban 5 mg twice daily").
 */
export const bearsOn = (text: string, query: string): boolean =>
  isInstruction(text.trim()) || (asksAboutSafety(query) && !otherTable(text, query));

/**
 * Whether a fact is of the other table than the question's: what one may eat for a question about a
 * medicine alone, a drug for a question about eating alone (session 32's discharge summary at 0.1:
 * "Which medicine was stopped?" kept "No known food allergies." in the place of "Aspirin 75 mg:
 * STOPPED"). A condition or an allergy that names neither bears on both.
 */
function otherTable(text: string, query: string): boolean {
  const food = FOOD.test(text);
  const drug = DRUG_WORD.test(text);
  if (food === drug || SAFETY.test(query) || ALLERGY.test(query) || DIET.test(query)) return false;
  const medicine = MEDICINE.test(query);
  const eating = EAT.test(query);
  return food ? medicine && !eating : eating && !medicine;
}

/** What one eats or drinks, as an allergy or a diet names it. */
const FOOD =
  /(?<![\p{L}])(?:food|foods|peanuts?|nuts?|tree nuts|gluten|dairy|lactose|milk|eggs?|shellfish|seafood|fish|soy|soya|sesame|wheat|vegan|vegetarian|meat|pork|beef|halal|kosher|coeliac|celiac|alcohol|caffeine|nourriture|aliments?|comida|alimentos?|lebensmittel|nüsse|erdnüsse|voedsel|noten)(?![\p{L}])/iu;

/** A drug: by its name's stem (clinical.ts), or one of the common ones and their family words. */
const DRUG_WORD = new RegExp(
  String.raw`${DRUG_NAME.source}|(?<![\p{L}])(?:penicillins?|aspirin|ibuprofen|paracetamol|acetaminophen|codeine|morphine|sulfa|sulphonamides?|medicines?|medications?|drugs?|antibiotics?|m[ée]dicaments?|medikamente?|medicamentos?)(?![\p{L}])`,
  'iu',
);

/** A question's words about a medicine (EATING: these or the words about eating, EAT). */
const MEDICINE =
  /(?<![\p{L}])(?:medicine|medicines|medication|medications|drug|drugs|pill|pills|antibiotic|antibiotics|médicament|médicaments|medicamento|medikament|\p{L}*(?:cillin|cilline|mycin|profen|floxacin))(?![\p{L}])/iu;

/** The units that hold a standing fact, in memory order (none in a dialogue). */
export function standingFacts(memory: ParsedMemory): number[] {
  if (memory.format === 'dialogue') return [];
  return memory.units
    .filter((u) => !u.pinned && u.kind !== 'code' && u.kind !== 'turn' && u.speaker === null)
    .filter((u) => isStandingFact(u.text))
    .map((u) => u.index);
}

/**
 * What a line says a diet needs in words SAFETY lacks: "gluten" in any form (gluten-free, glutenfrei,
 * sans gluten, "it has gluten residue"), "GF", a "-free" diet ("dairy-free", "nut-free"). In a meal
 * plan these are the lines that keep a coeliac child safe (review: "the Knorr one we have is NOT
 * [gluten-free]" and "cook it in a separate pan" went for "Can Leo eat the lentil bolognese?").
 * Not standing on their own (a recipe's "gluten-free pizza base" is no rule for a question about
 * the budget): only for a question about eating (safetyFacts).
 */
const DIET_WORDS = /gluten|\b(?:lactose|dairy|milk|nut|peanut|egg|soy|sesame|wheat|sugar)[- ]free\b/iu;
const DIET = { test: (text: string): boolean => DIET_WORDS.test(text) || /\bGF\b/.test(text) };

/**
 * A question about eating, drinking or cooking, or about a medicine: what a household's allergies,
 * intolerances and diets bear on, though it names none of them (review: "Plan a dinner for Daniel's
 * family" dropped "Joost is allergic to peanuts (carries an EpiPen)"). English and the memory
 * languages seen (French, Spanish, German, Dutch); a drug by its family's ending (-cillin, -mycin).
 */
const EAT =
  /(?<![\p{L}])(?:eat|eats|eating|ate|eaten|food|foods|meal|meals|dinner|dinners|lunch|lunches|breakfast|brunch|supper|snack|snacks|recipe|recipes|cook|cooks|cooking|bake|baking|menu|restaurant|restaurants|dish|dishes|cuisine|picnic|barbecue|bbq|grocery|groceries|drink|drinks|manger|repas|dîner|déjeuner|recette|recettes|comer|comida|cena|almuerzo|receta|recetas|essen|abendessen|mittagessen|rezept|rezepte|eten|avondeten|recept|recepten)(?![\p{L}])/iu;
/** The words about eating (EAT) or about a medicine (MEDICINE): what the comment above names. */
const EATING = { test: (query: string): boolean => EAT.test(query) || MEDICINE.test(query) };

/** A question an allergy, an intolerance, a diet or a condition bears on: about eating or a medicine, or naming one. */
const asksAboutSafety = (query: string): boolean =>
  SAFETY.test(query) || ALLERGY.test(query) || DIET.test(query) || EATING.test(query);

/** An allergy proper, what an EpiPen is carried for: for any question about eating it comes first. */
const ALLERGIC = /(?<!hypo)allerg|alerg|alérg|アレルギー|过敏|알레르기|anaphyla|epipen/iu;

/**
 * The units a question about the table or the pharmacy needs whatever else it asks, in order, and
 * which of them go where. An allergy proper (what an EpiPen is carried for) goes above every other
 * unit for a question about eating or one naming an allergy (review: "Plan a dinner for Daniel's
 * family" dropped "Joost is allergic to peanuts (carries an EpiPen)"; the learned ranker put
 * "Priyanka Rao is a product manager" above "allergic to sesame" for "What is Priyanka allergic
 * to?"). The others are ranked by their relevance to the question: those in the section of the most
 * relevant other line (the dish asked about) right after it (review: for "Can Leo eat the Wednesday
 * lentil bolognese" the pizza's and the oats' gluten lines, ranked higher, took the share; Wednesday's
 * "the Knorr one we have is NOT [gluten-free]" went), the rest after the question's best units, a
 * condition or an intolerance first (review: for "How do I make the lemon drizzle cake gluten-free?"
 * the dal's "For Leo (coeliac) buy the gluten-free one" went above everything and the cake's own
 * gluten-free note did not fit). None in a dialogue, nor for another question.
 */
export function safetyFacts(
  memory: ParsedMemory,
  query: string,
  score: Float64Array,
): { units: number[]; above: number[]; near: number[] } {
  if (memory.format === 'dialogue' || !asksAboutSafety(query)) return { units: [], above: [], near: [] };
  const textOf = (i: number) => (memory.units[i] as MemoryUnit).text;
  const units = memory.units
    .filter(isFactLine)
    .filter((u) => (SAFETY.test(u.text) || DIET.test(u.text)) && !otherTable(u.text, query))
    .map((u) => u.index);
  // An allergy goes first for a question about eating or one naming an allergy, not for one naming
  // a diet or a condition only ("gluten-free": the cake's note is its answer, not a peanut allergy).
  const allergyFirst = EATING.test(query) || ALLERGY.test(query);
  const isAbove = (i: number) => allergyFirst && ALLERGIC.test(textOf(i));
  const safety = new Set(units);
  let best = -1;
  for (const u of memory.units)
    if (isFactLine(u) && !safety.has(u.index) && (best < 0 || (score[u.index] as number) > (score[best] as number)))
      best = u.index;
  const section = memory.units[best]?.group;
  const isNear = (i: number) => !isAbove(i) && memory.units[i]?.group === section;
  // Of the rest, a condition or an intolerance (who cannot eat what: "Leo (11) has coeliac disease")
  // before a diet's line (review: the meal plan's constraint went for two gluten-free lines).
  const place = (i: number) => (isAbove(i) ? 3 : isNear(i) ? 2 : ALLERGY.test(textOf(i)) ? 1 : 0);
  units.sort((a, b) => place(b) - place(a) || (score[b] as number) - (score[a] as number) || a - b);
  return { units, above: units.filter(isAbove), near: units.filter(isNear) };
}

/**
 * A question about when to meet, call or see someone: what a memory's calendar constraints bear on,
 * though it names none of their days (review: "Suggest a time for a work meeting with Daniel next
 * week." dropped the whole "Calendar constraints" section, no Wednesday mornings, nothing before
 * 08:30, no Friday after 15:00, at 0.1 and 0.2). "Book" only with what is booked in a calendar (a
 * flight's booking asks for travel preferences); "scheduling" alone is an app's name as often, and
 * "availability" a service's (review: a contract's maintenance window went first for "What service
 * credit do we get if availability is 98.5%?").
 */
// "On call" is a duty, not a call to set up (review 3: "Who is primary on call the week of 15
// December?" put a runbook's settlement window above every rota row).
const SCHEDULING =
  /(?<![\p{L}])(?:meet|meets|meeting|meetings|(?<!\bon[- ])calls?|appointment|appointments|schedule|reschedule|available|slot|slots|rendez-vous|rendezvous|réunion|rencontrer|cita|reunión|termin|treffen|besprechung|afspraak|vergadering|(?:a|what|which|good|best)\s+time|book(?:ing)?\s+(?:[\p{L}'-]+\s+){0,3}?(?:meeting|appointment|call|slot|session|visit))(?![\p{L}])/iu;

/**
 * A day of the week, a part of a day or a clock time, in the memory languages seen: the pruner's
 * vocabulary (lexicon.ts), so a line the pruner keeps as a constraint is one this path finds.
 */
const WEEK_TIME = new RegExp(dayTimeWord(WEEKDAY, DAY_PART, CLOCK_TIME), 'iu');

/** What makes a time a constraint: a negation, a limit, a preference. */
const LIMIT =
  /(?<![\p{L}])(?:not|never|no|off-limits|unavailable|available|busy|only|avoid|avoids|prefers?|ne|jamais|pas|nicht|nie|kein|keine|niet|nooit|geen|nunca)(?![\p{L}])/iu;

/**
 * A bound in time ("before 10:00", "nach 18 Uhr", "until lunch"): a limit only where a day or a time
 * follows within three words. "Extrastunde vor der Klassenarbeit vereinbart: Montag 17. Februar" (an
 * extra lesson agreed before the exam) is an appointment: read as a constraint it went above the line
 * the question named ("Was hat sich am Termin geändert?" lost "Termin geändert: ... mittwochs statt
 * dienstags" at 0.2).
 */
const BOUND = /(?<![\p{L}])(?:before|after|until|avant|après|vor|nach|voor|na|antes|después)(?![\p{L}])/giu;

/**
 * The three words after a position, read there (sticky): split off the whole rest of the line at
 * each bound, a line of speech without stops ("... na casa na rua ..." 8,000 times, then a time)
 * was read again at every "na" (120,000 characters: 13.6 s; re-read of session 34).
 */
const THREE_WORDS = /\s*(\S+(?:\s+\S+){0,2})/uy;

/** A negation, a preference or a bound in time followed by a time: the line limits when one can meet. */
function limitsTime(text: string): boolean {
  if (LIMIT.test(text)) return true;
  for (const m of text.matchAll(BOUND)) {
    THREE_WORDS.lastIndex = (m.index ?? 0) + m[0].length;
    const next = THREE_WORDS.exec(text)?.[1]?.split(/\s+/).join(' ') ?? '';
    if (WEEK_TIME.test(next)) return true;
  }
  return false;
}

/** A heading over a memory's calendar: every line under it is a constraint. */
const CALENDAR_HEADING = /calendar|availabilit|schedule|agenda|constraint|disponibilit|horaire|Verfügbar|beschikbaar/iu;

/**
 * The lines of a memory that say when its person can or cannot be met, for a question about
 * scheduling (SCHEDULING): any line under a calendar heading ("School run: drops the kids at 08:15
 * on Mondays"), best first by `score`, then a day or a time with a limit elsewhere ("four days a
 * week (not on Wednesdays)", "Does not want meeting invites before 10:00"). All go above every other
 * unit: a memory's constraints are what such a question is answered by (review: at 0.1 a visit to
 * her mother, 0.01 logit above it, took the budget from "Ne jamais lui proposer de rendez-vous le
 * jeudi matin" once that went after the best). None in a dialogue, nor for another question.
 */
export function calendarFacts(
  memory: ParsedMemory,
  query: string,
  score: Float64Array,
): { units: number[]; above: number[]; near: number[] } {
  if (memory.format === 'dialogue' || !SCHEDULING.test(query)) return { units: [], above: [], near: [] };
  const underCalendar = memory.groups.map((_, g) => headingPath(memory, g).some((h) => CALENDAR_HEADING.test(h)));
  const lines = memory.units.filter(isFactLine);
  const byScore = (a: number, b: number) => (score[b] as number) - (score[a] as number) || a - b;
  const above = lines.filter((u) => underCalendar[u.group]).map((u) => u.index);
  const timed = lines
    .filter((u) => !underCalendar[u.group] && WEEK_TIME.test(u.text) && limitsTime(u.text))
    .map((u) => u.index);
  above.sort(byScore);
  timed.sort(byScore);
  const units = [...above, ...timed];
  return { units, above: units, near: [] };
}

/** A line of a memory of facts or notes: no tag, code, chat turn or speaker's line. */
const isFactLine = (u: MemoryUnit): boolean =>
  !u.pinned && u.kind !== 'code' && u.kind !== 'turn' && u.speaker === null;

/** The share of the budget a question about eating may give its safety facts (safetyFacts) and the other standing facts. */
export const SAFETY_SHARE = 0.6;

/**
 * The share of the budget the question's best units take before the standing facts that do not go
 * above them (review: in a recipe book and a system prompt, "Do not add it, whatever the internet
 * says" and "NEVER give investment advice" came before the lemon cake's steps and the SWIFT fee).
 */
export const ANSWER_SHARE = 0.5;

/** Where the standing facts of a memory go in the fill order (rankStandingNext). */
export interface StandingPlan {
  /** The units holding a fact whatever the question (standingFacts), in any order. */
  standing: readonly number[];
  /**
   * safetyFacts and calendarFacts, in their order: `above` go above every unit, `near` right after
   * the most relevant unit, the rest after the question's best units, before `standing`.
   */
  safety?: { units: readonly number[]; above: readonly number[]; near?: readonly number[] };
  /** A unit's cost in tokens, with what it must come with. */
  cost: (i: number) => number;
  /** The tokens the standing and safety facts may take together. */
  room: number;
  /** The tokens of the whole selection: the facts after the best units take at most what those left. */
  budget: number;
  /**
   * The tokens the order takes before the facts that go after the best units: the facts above, the
   * best unit (whatever its cost) and the facts near it, then as many best units as fit.
   */
  answerRoom: number;
  /** The units the fill ranks (a memory's framing tags are kept apart): the others are no best unit. */
  ranks?: (i: number) => boolean;
  /**
   * The units the fill takes right after unit `i` when it is among the first `repliesTop` (select.ts
   * withReplies): they spend the budget there too (review: the meal plan's best units brought their
   * next lines, and the coeliac constraint no longer fit).
   */
  replies?: (i: number) => readonly number[];
  repliesTop?: number;
}

/**
 * Raises the scores of the standing facts that fit (in place) so the budget is filled in this
 * order: those of `safety.above`, the most relevant unit, those of `safety.near`, the question's
 * best units up to `answerRoom`, then the other safety facts and the other standing facts, each
 * ranked by relevance, as long as they fit in `room` and in what the units before them left of the
 * budget. A fact too long for what is left is passed over; a shorter one after it may fit (review).
 * No score is lowered: a fact its own relevance puts among the best units stays there (review: "Ne
 * jamais lui proposer de rendez-vous le jeudi matin", first for "Propose un rendez-vous"), and the
 * best unit keeps its score, so the floor under it (select.ts) stays where the question put it.
 */
export function rankStandingNext(score: Float64Array, plan: StandingPlan): void {
  const safety = plan.safety ?? { units: [], above: [], near: [] };
  if (!plan.standing.length && !safety.units.length) return;
  const byScore = (a: number, b: number) => (score[b] as number) - (score[a] as number) || a - b;
  const isAbove = new Set(safety.above);
  const isNear = new Set(safety.near ?? []);
  const order: number[] = [];
  const placed = new Set<number>();
  let room = plan.room;
  let spent = 0;
  const counted = new Set<number>();
  const charge = (i: number) => {
    if (counted.has(i)) return;
    counted.add(i);
    spent += plan.cost(i);
  };
  const place = (i: number) => {
    order.push(i);
    placed.add(i);
    charge(i);
    if (order.length <= (plan.repliesTop ?? 0)) for (const r of plan.replies?.(i) ?? []) charge(r);
  };
  const fits = (i: number, limit: number) => plan.cost(i) <= Math.min(room, limit - spent);
  for (const i of safety.units)
    if (isAbove.has(i) && fits(i, plan.budget)) {
      place(i);
      room -= plan.cost(i);
    }
  const ranked = [...score.keys()].filter((i) => plan.ranks?.(i) ?? true).sort(byScore);
  const first = ranked.find((i) => !placed.has(i));
  if (first !== undefined) place(first);
  for (const i of safety.units)
    if (isNear.has(i) && !placed.has(i) && fits(i, plan.budget)) {
      place(i);
      room -= plan.cost(i);
    }
  // The best units, in rank order, until one would take the order past their share.
  for (const i of ranked) {
    if (placed.has(i)) continue;
    if (spent + plan.cost(i) > plan.answerRoom) break;
    place(i);
  }
  const standing = plan.standing.filter((i) => !isAbove.has(i) && !isNear.has(i)).sort(byScore);
  for (const i of new Set([...safety.units, ...standing]))
    if (!placed.has(i) && fits(i, plan.budget)) {
      place(i);
      room -= plan.cost(i);
    }
  // Scores falling along `order`, each the unit's own or just above the next one's, all above the
  // units not placed: from the last up, so the ones placed first keep theirs when they are higher.
  let restMax = Number.NEGATIVE_INFINITY;
  for (const [i, v] of score.entries()) if (!placed.has(i)) restMax = Math.max(restMax, v);
  let below = restMax;
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k] as number;
    const v = score[i] as number;
    const raised = Number.isFinite(below) ? below + STEP * Math.max(1, Math.abs(below)) : v;
    score[i] = Math.max(v, raised);
    below = score[i] as number;
  }
}

/** How far apart rankStandingNext sets two units it orders: enough to order them, too little to matter. */
const STEP = 1e-6;
