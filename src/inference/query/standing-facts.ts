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
const EATING =
  /(?<![\p{L}])(?:eat|eats|eating|ate|eaten|food|foods|meal|meals|dinner|dinners|lunch|lunches|breakfast|brunch|supper|snack|snacks|recipe|recipes|cook|cooks|cooking|bake|baking|menu|restaurant|restaurants|dish|dishes|cuisine|picnic|barbecue|bbq|grocery|groceries|drink|drinks|medicine|medicines|medication|medications|drug|drugs|pill|pills|antibiotic|antibiotics|manger|repas|dîner|déjeuner|recette|recettes|médicament|médicaments|comer|comida|cena|almuerzo|receta|recetas|medicamento|essen|abendessen|mittagessen|rezept|rezepte|medikament|eten|avondeten|recept|recepten|\p{L}*(?:cillin|cilline|mycin|profen|floxacin))(?![\p{L}])/iu;

/** An allergy proper, what an EpiPen is carried for: for any question about eating it comes first. */
const ALLERGIC = /(?<!hypo)allerg|alerg|alérg|アレルギー|过敏|알레르기|anaphyla|epipen/iu;

/**
 * The units a question about the table or the pharmacy needs whatever else it asks, in order (an
 * allergy before an intolerance or a diet, then by `score`), and those of them that go above every
 * other unit. For a question naming an allergy, a diet or a condition ("What is Priyanka allergic
 * to?") they are its answer: all go first (review: the learned ranker put "Priyanka Rao is a
 * product manager" above "allergic to sesame", and the 0.1 budget held one of them). For one about
 * eating ("Plan a dinner for Daniel's family") an allergy goes first (review: "Joost is allergic to
 * peanuts (carries an EpiPen)" was dropped for the best unit and the instructions), an intolerance or
 * a diet right after the answer. None in a dialogue, nor for another question.
 */
export function safetyFacts(
  memory: ParsedMemory,
  query: string,
  score: Float64Array,
): { units: number[]; above: number[] } {
  const asks = SAFETY.test(query) || ALLERGY.test(query) || DIET.test(query);
  if (memory.format === 'dialogue' || (!asks && !EATING.test(query))) return { units: [], above: [] };
  const textOf = (i: number) => (memory.units[i] as MemoryUnit).text;
  const units = memory.units
    .filter(isFactLine)
    .filter((u) => SAFETY.test(u.text) || DIET.test(u.text))
    .map((u) => u.index);
  const rank = (i: number) => (ALLERGIC.test(textOf(i)) ? 2 : ALLERGY.test(textOf(i)) ? 1 : 0);
  // Of the rest, those in the section of the most relevant other line first: the dish asked about
  // (review: for "Can Leo eat the Wednesday lentil bolognese" the pizza's and the oats' gluten lines,
  // ranked higher, took the share; Wednesday's "the Knorr one we have is NOT [gluten-free]" went).
  const safety = new Set(units);
  let best = -1;
  for (const u of memory.units)
    if (isFactLine(u) && !safety.has(u.index) && (best < 0 || (score[u.index] as number) > (score[best] as number)))
      best = u.index;
  const section = memory.units[best]?.group;
  const inSection = (i: number) => (memory.units[i]?.group === section ? 1 : 0);
  units.sort(
    (a, b) => rank(b) - rank(a) || inSection(b) - inSection(a) || (score[b] as number) - (score[a] as number) || a - b,
  );
  return { units, above: asks ? units : units.filter((i) => ALLERGIC.test(textOf(i))) };
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
const SCHEDULING =
  /(?<![\p{L}])(?:meet|meets|meeting|meetings|call|calls|appointment|appointments|schedule|reschedule|available|slot|slots|rendez-vous|rendezvous|réunion|rencontrer|cita|reunión|termin|treffen|besprechung|afspraak|vergadering|(?:a|what|which|good|best)\s+time|book(?:ing)?\s+(?:[\p{L}'-]+\s+){0,3}?(?:meeting|appointment|call|slot|session|visit))(?![\p{L}])/iu;

/**
 * A day of the week, a part of a day or a clock time, in the memory languages seen: the pruner's
 * vocabulary (lexicon.ts), so a line the pruner keeps as a constraint is one this path finds.
 */
const WEEK_TIME = new RegExp(dayTimeWord(WEEKDAY, DAY_PART, CLOCK_TIME), 'iu');

/** What makes a time a constraint: a negation, a limit, a preference. */
const LIMIT =
  /(?<![\p{L}])(?:not|never|no|off-limits|unavailable|available|busy|only|avoid|avoids|before|after|until|prefers?|ne|jamais|pas|avant|après|nicht|nie|kein|keine|vor|nach|niet|nooit|geen|voor|na|nunca|antes|después)(?![\p{L}])/iu;

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
): { units: number[]; above: number[] } {
  if (memory.format === 'dialogue' || !SCHEDULING.test(query)) return { units: [], above: [] };
  const underCalendar = memory.groups.map((_, g) => headingPath(memory, g).some((h) => CALENDAR_HEADING.test(h)));
  const lines = memory.units.filter(isFactLine);
  const byScore = (a: number, b: number) => (score[b] as number) - (score[a] as number) || a - b;
  const above = lines.filter((u) => underCalendar[u.group]).map((u) => u.index);
  const timed = lines
    .filter((u) => !underCalendar[u.group] && WEEK_TIME.test(u.text) && LIMIT.test(u.text))
    .map((u) => u.index);
  above.sort(byScore);
  timed.sort(byScore);
  const units = [...above, ...timed];
  return { units, above: units };
}

/** A line of a memory of facts or notes: no tag, code, chat turn or speaker's line. */
const isFactLine = (u: MemoryUnit): boolean =>
  !u.pinned && u.kind !== 'code' && u.kind !== 'turn' && u.speaker === null;

/** The share of the budget a question about eating may give its safety facts (safetyFacts) and the other standing facts. */
export const SAFETY_SHARE = 0.6;

/**
 * Ranks the best standing facts right after the most relevant unit, in place, as long as they fit
 * in `room` tokens together (each costs its `cost`): the answer still comes first (and stays
 * verbatim), the standing facts next, and they cannot take the whole budget. `safety` (safetyFacts,
 * in their order) come before the other standing facts; those of `safety.above` that fit go above
 * every unit.
 */
export function rankStandingNext(
  score: Float64Array,
  standing: readonly number[],
  cost: (i: number) => number,
  room: number,
  safety: { units: readonly number[]; above: readonly number[] } = { units: [], above: [] },
): void {
  if (!standing.length && !safety.units.length) return;
  const isSafety = new Set(safety.units);
  const isAbove = new Set(safety.above);
  const isStanding = new Set([...standing, ...safety.units]);
  // The most relevant unit (the first, in a tie) is raised above them: it stays first.
  let best = -1;
  let max = Number.NEGATIVE_INFINITY;
  for (const [i, v] of score.entries()) {
    max = Math.max(max, v);
    if (!isStanding.has(i) && (best < 0 || v > (score[best] as number))) best = i;
  }
  const top = best >= 0 ? (score[best] as number) : 0;
  const rest = standing.filter((i) => !isSafety.has(i)).sort((a, b) => (score[b] as number) - (score[a] as number));
  const ranked = [...safety.units, ...rest];
  let left = room;
  const chosen: number[] = [];
  for (const i of ranked) {
    // One too long for the room is passed over; a shorter one after it may fit (review).
    if (cost(i) > left) continue;
    left -= cost(i);
    chosen.push(i);
  }
  const n = chosen.length;
  // Those that go above everything go above a standing fact left where it was too (an instruction
  // its own relevance put first), in their order.
  // None is lowered: one its own relevance put above the best unit is the answer (review: "Ne jamais
  // lui proposer de rendez-vous le jeudi matin", first for "Propose un rendez-vous", went below a
  // visit to her mother once it was a calendar fact).
  chosen.forEach((i, k) => {
    const raised = isAbove.has(i) ? Math.max(max, top + 1) + 1 + (n - k) / (n + 1) : top + (n - k) / (n + 1);
    score[i] = Math.max(score[i] as number, raised);
  });
  if (n && best >= 0) score[best] = top + 1;
}
