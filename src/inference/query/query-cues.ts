/**
 * What a query says about where its answer lies, read from its words alone: the names it gives
 * (likely speakers), the months and years it dates, whether it asks "when" or for a list. Shared by
 * the hand-weighted relevance and the learned ranker's features.
 */

import { isStopWord } from './bm25.ts';

export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const FIRST_WORDS =
  /^(?:What|When|Where|Who|Whom|Which|How|Why|Did|Does|Do|Is|Are|Was|Were|Has|Have|Can|Would|Could|Should|Will|In|On|At|The|A|An)$/;

/**
 * The question words of Spanish, French, German, Portuguese and Italian: a question's first word,
 * no name (review 4: "¿Qué nota sacó Lucía ...?" read "Qué" as a person's name).
 */
const OTHER_QUESTION_WORDS =
  /^(?:Qué|Que|Cuándo|Cuando|Dónde|Donde|Adónde|Quién|Quiénes|Cómo|Cuánto|Cuánta|Cuántos|Cuántas|Cuál|Cuáles|Quand|Où|Qui|Quoi|Quel|Quelle|Quels|Quelles|Comment|Combien|Pourquoi|Wann|Wo|Wer|Wen|Wem|Wie|Was|Warum|Welche|Welcher|Welches|Wieviel|Quando|Onde|Quem|Como|Quanto|Quanta|Quantos|Quantas|Qual|Quais|Porque|Chi|Dove|Perché|Quale)$/u;

/** Capitalised words of the query that are not its first word or a question word: likely names. */
export function queryNames(query: string): Set<string> {
  const out = new Set<string>();
  const words = [...query.matchAll(/\b[\p{Lu}][\p{L}'-]+/gu)];
  // A Spanish question opens with "¿" before its first word.
  const first = /^[\s¿¡]*/u.exec(query)?.[0].length ?? 0;
  for (const m of words) {
    const w = m[0].replace(/'s$/, '');
    if (m.index === first && (FIRST_WORDS.test(w) || OTHER_QUESTION_WORDS.test(w))) continue;
    if (MONTHS.includes(w.toLowerCase())) continue;
    out.add(w.toLowerCase());
  }
  return out;
}

/**
 * A time expression in a turn: relative days and periods, weekdays, months, years; in English,
 * and Spanish, French, German, Portuguese and Italian's days and months (review 4: in a Spanish
 * chat "¿Cuándo abrió Andrés la panadería?" was no "when" question and "el 26 de abril" no time).
 * French "mars" and German "hier" are left out, English words of their own.
 */
export const TIME = new RegExp(
  `(?<![\\p{L}\\p{N}_])(?:${[
    'yesterday|today|tonight|tomorrow|ago|last|next|recently|earlier|weekend|(?:mon|tues|wednes|thurs|fri|satur|sun)day',
    'january|february|march|april|june|july|august|september|october|november|december|(?:19|20)\\d{2}',
    // A day of the month by its ordinal: "on the 23rd, not the 24th" (review 4: an SMS thread's new date).
    '(?:[12]?1st|[12]?2nd|[12]?3rd|(?:[12]?[4-9]|1[0-3]|20|30)th|31st)',
    'ayer|hoy|mañana|anteayer|lunes|martes|miércoles|jueves|viernes|sábado|domingo',
    'enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre',
    "aujourd'hui|demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    'janvier|février|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre',
    'gestern|heute|morgen|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag',
    'januar|februar|märz|juni|juli|oktober|dezember',
    'ontem|hoje|amanhã|(?:segunda|terça|quarta|quinta|sexta)-feira',
    'janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro',
    'ieri|oggi|domani|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica',
    'gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre',
  ].join('|')})(?![\\p{L}\\p{N}_])`,
  'iu',
);

/**
 * A question about when something happened, or by when it must be done ("By when must Hannah
 * choose?", "Until when is the offer valid?"; review 3: read as no time question, the deadline was
 * never kept); in Spanish, French, German, Portuguese and Italian too ("¿Cuándo abrió ...?",
 * "Seit wann ...?"; review 4).
 */
export const WHEN =
  /^\s*(?:(?:by|until|till|since)\s+)?(?:when|how long ago)\b|^[\s¿]*(?:(?:desde|hasta|depuis|jusqu'à|seit|bis|até|fino a)\s+)?(?:cuándo|cuando|quand|wann|quando)(?![\p{L}])/iu;

/** Auxiliaries and the words of "what kind of": after one, the question asks for no list. */
const AUX = /^(?:does|do|did|is|are|was|were|has|have|had)$/i;
const NOT_LIST = /^(?:kind|kinds|type|types|sort|sorts)$/i;

/**
 * A question that asks for a list ("What activities does Melanie do?", "Which European countries
 * has Maria been to?", "What are the names of John's children?", "Where has Maria made friends?"):
 * its answer lies in many turns of many sessions. A wh-word, then a plural noun as its first or
 * second word followed by an auxiliary ("Which song motivates her?" is no list), or "what are the";
 * or "has/have" with a plural noun ending the question.
 */
export function isListQuestion(query: string): boolean {
  const m = /^\s*(?:what|which|where)\s+(.*)$/i.exec(query);
  if (!m) return false;
  const words = (m[1] ?? '')
    .split(/\s+/)
    .slice(0, 4)
    .map((x) => x.replace(/[^\p{L}']/gu, ''));
  if (/^(?:are|were)$/i.test(words[0] ?? '') && /^(?:the|some|all)$/i.test(words[1] ?? '')) return true;
  for (let k = 0; k < 2; k++) {
    const x = words[k] ?? '';
    if (AUX.test(x) || NOT_LIST.test(x)) break;
    const plural = /^(?:people|children)$/i.test(x) || (x.length > 3 && /[^s']s$/i.test(x));
    if (plural && AUX.test(words[k + 1] ?? '')) return true;
  }
  return /\b(?:has|have)\b/i.test(query) && /\b\w{2,}[^s']s\?\s*$/i.test(query);
}

/** Months, years and days named in the query ("May 2023", "in 2022", "last June", "on 25 May, 2022"). */
export function queryDates(query: string): { months: Set<string>; years: Set<string>; days: Set<string> } {
  const lower = query.toLowerCase();
  const months = new Set(
    MONTHS.filter(
      (m) =>
        new RegExp(`\\b${m}\\b`).test(lower) && (m !== 'may' || /\bmay\s+\d/.test(lower) || /\bin\s+may\b/.test(lower)),
    ),
  );
  const years = new Set(lower.match(/\b(?:19|20)\d{2}\b/g) ?? []);
  const days = new Set<string>();
  for (const m of lower.matchAll(DAY_DATE)) {
    const d = readDay(m[0]);
    if (!d) continue;
    days.add(dayKey(d));
    // "25 May, 2022" names May, which the word alone does not ("may" is also a verb).
    months.add(MONTHS[d.month - 1] as string);
  }
  return { months, years, days };
}

const MONTH_WORD = `(?:${MONTHS.join('|')}|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?(?![a-z])`;
/** A day of a month: "25 May", "8th of December", "May 23", "December 1,2023", "2023-05-25". */
const DAY_DATE = new RegExp(
  `\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_WORD}|${MONTH_WORD}\\s+\\d{1,2}(?:st|nd|rd|th)?(?!\\d))`,
  'gi',
);

/** Month (1-12) and day of a date's text, as DAY_DATE finds it; null where it names no day. */
function readDay(text: string): { month: number; day: number } | null {
  const iso = /(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (iso) return { month: Number(iso[2]), day: Number(iso[3]) };
  const word = /[a-z]{3,}/i.exec(text.replace(/\bof\b/i, ''))?.[0].toLowerCase() ?? '';
  const month = MONTHS.findIndex((m) => m.startsWith(word.slice(0, 3))) + 1;
  const day = Number(/\d{1,2}/.exec(text)?.[0]);
  return month > 0 && day >= 1 && day <= 31 ? { month, day } : null;
}

const dayKey = (d: { month: number; day: number }) => `${d.month}-${d.day}`;

/**
 * Whether a group's header date is a day the query names ("What did Nate do on 25 May, 2022?" and
 * a session of 25 May 2022): a month names four or five sessions of a chat, a day one. A year the
 * query gives must match too.
 */
export function dayMatches(headerDate: string | null, dates: { years: Set<string>; days: Set<string> }): boolean {
  if (!headerDate || !dates.days.size) return false;
  const found = headerDate.match(DAY_DATE);
  const day = found ? readDay(found[0]) : null;
  if (!day || !dates.days.has(dayKey(day))) return false;
  return !dates.years.size || [...dates.years].some((y) => headerDate.includes(y));
}

export function dateMatches(headerDate: string | null, dates: { months: Set<string>; years: Set<string> }): boolean {
  if (!headerDate || (!dates.months.size && !dates.years.size)) return false;
  const h = headerDate.toLowerCase();
  // An ISO date ("2025-03-01", a log's day) names its month by number.
  const iso = /\d{4}-(\d{2})-\d{2}/.exec(h);
  const named = iso ? MONTHS[Number(iso[1]) - 1] : undefined;
  const monthOk =
    !dates.months.size || [...dates.months].some((m) => m === named || h.includes(m) || h.includes(m.slice(0, 3)));
  const yearOk = !dates.years.size || [...dates.years].some((y) => h.includes(y));
  return monthOk && yearOk;
}

/** Words of a chat's follow-ups that say nothing about what to keep ("Ok, tell me more"). */
const FOLLOW_UP = new Set(
  'ok okay yeah yep yup yes nope sure thanks thank please tell explain elaborate continue more else really right cool great nice hmm huh wow interesting'.split(
    ' ',
  ),
);

/**
 * Whether a query has a word to rank a memory by: a number, or a word (any length, any script:
 * "Al", "UK", "北京") that is neither a stop word nor a follow-up's ("Ok?", "Why?", "Tell me more"
 * have none).
 */
export function hasWordToSelectBy(query: string): boolean {
  const words = query.toLowerCase().match(/[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  return words.some((w) => !isStopWord(w) && !FOLLOW_UP.has(w));
}
