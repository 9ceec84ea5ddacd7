/**
 * Okapi BM25 over the units of one memory. Written here rather than taken from npm: `okapibm25`
 * matches terms as unescaped regular expressions and substrings ("art" scores "party") and
 * re-reads every document per query; `wink-bm25-text-search` pulls in the wink NLP stack. This
 * one tokenizes once (lowercase words, a light suffix stemmer, stop words out) and answers a query
 * from the index in one pass over the query's terms.
 */

const STOP = new Set(
  foldLatin(
    'a an the of in on at to for and or but nor is are was were be been being am with by from as that this these ' +
      'those it its it s he she i you we they him her his hers them their theirs my mine your yours our ours me us ' +
      'do does did doing done has have had having will would shall should can could may might must not no yes so ' +
      'if then than too very just also what when where who whom which how why whose there here about into over ' +
      'after before up down out off again once any all some such own same other only more most both each few ' +
      // The question words of German, French and Spanish, where no English word is spelt the same:
      // "Wie viel Geld ...?" matched the greeting's "Wie kann ich Ihnen helfen?" (review 3 F-18). Their
      // articles stay: shared by a question and its answer, they still tell lines apart (review 4: with
      // the Spanish articles, prepositions and pronouns left out of a Spanish chat's index, the turn
      // answering "¿Cuándo abrió Andrés la panadería de Ruzafa?" fell from 10th to 18th).
      'wie wieviel viel wann wo wer wen wem warum welche welcher welches welchen que qui quoi quand où comment ' +
      'quel quelle quels quelles combien qué cuándo dónde quién cómo cuánto cuánta cuál',
  ).split(' '),
);

/**
 * A Latin letter's accents off ("ahorró" -> "ahorro", "Gràcia" -> "Gracia"): a word's accent
 * moves with its form in Spanish and Portuguese ("¿Cuánto se ahorró?" / "Me ahorro unos 3.000
 * euros", review 4) and is often left out when typed. Marks on other scripts stay (Japanese
 * dakuten tell words apart).
 */
export function foldLatin(text: string): string {
  return /[\u0080-\u{10ffff}]/u.test(text)
    ? text
        .normalize('NFD')
        .replace(/(\p{Script=Latin})\p{M}+/gu, '$1')
        .normalize('NFC')
    : text;
}

/** A light English stemmer: plural, past and gerund endings; enough to match "painting" with "paint". */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith("'s")) w = w.slice(0, -2);
  if (w.length > 5 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('es') && /(?:ch|sh|ss|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  // "runn" -> "run", "paint" stays.
  if (w.length > 3 && w.at(-1) === w.at(-2) && !/[lsz]/.test(w.at(-1) ?? '')) w = w.slice(0, -1);
  return w;
}

/** The lowercase words of a text that `word` matches, without a possessive 's, and not stop words. */
function unstopped(text: string, word: RegExp): string[] {
  const out: string[] = [];
  for (const m of foldLatin(text.toLowerCase()).matchAll(word)) {
    const w = m[0].replace(/'s$/, '');
    if (!STOP.has(w)) out.push(w);
  }
  return out;
}

/** Whether a lowercase word is one of the stop words BM25 leaves out. */
export const isStopWord = (word: string): boolean => STOP.has(foldLatin(word));

/** Words of letters (3 or more) that are no stop word, unstemmed: what a word embedding reads. */
export function contentWords(text: string): string[] {
  return unstopped(text, /[\p{L}]+(?:'[\p{L}]+)?/gu).filter((w) => w.length > 2);
}

/** Chinese, Japanese and Korean: written without spaces between words (Korean between phrases). */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A run of CJK characters as its character pairs, the usual index terms where no space marks a
 * word ("他对花生过敏" holds "过敏", allergic, as "王伟对什么过敏？" does); a lone character as itself.
 * As one term, a whole sentence matched nothing (review: a Chinese memory never kept its answer).
 */
function cjkTerms(word: string): string[] {
  const chars = Array.from(word);
  if (chars.length < 2) return [word];
  return chars.slice(1).map((c, i) => `${chars[i]}${c}`);
}

/**
 * Where a word written in camel case joins its words: "OOM|Killing", "Crash|Loop|Back|Off",
 * "readiness|Probe", "HTTP|Server". Read from the text as written (terms lowercase it).
 */
const CAMEL_JOIN = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
/**
 * A word with such a join, found before anything is lowercased. Tried from a word's start only: tried
 * at every letter, "\p{L}*" ran to the end of a long run of letters each time (a CJK paragraph with an
 * "iPhone" in it, 40,000 letters: 2 s), and the leftmost match always starts at one.
 */
const CAMEL_WORD = /(?<!\p{L})\p{L}*(?:\p{Ll}\p{Lu}|\p{Lu}\p{Lu}\p{Ll})\p{L}*/gu;

/**
 * The words a camel-case word is made of, as extra terms after its own ("oomkilling", then "oom",
 * "kill"), or none: an event's reason (`OOMKilling`, `CrashLoopBackOff`), a field (`readinessProbe`) is
 * asked about in words ("Was the container OOM killed?"), and as one term it matched none of them
 * (review h3: a node's OOMKilling event was never kept). The whole term stays, so the same word
 * written the same way still matches as before.
 */
function camelParts(word: string): string[] {
  const parts = word.split(CAMEL_JOIN);
  if (parts.length < 2) return [];
  return parts.flatMap((p) => {
    const w = p.toLowerCase();
    return w.length > 1 && !STOP.has(w) ? [stem(w)] : [];
  });
}

/**
 * A limit's name written as one lowercase word, its bound first: `maxmemory`, `maxconn`, `minsize`
 * (Redis, HAProxy, PostgreSQL, nginx settings). Only when the rest is a thing settings bound
 * (BOUNDED): with any rest, "minutes", "mineral" and "minority" gained a "min" term (re-read s35),
 * and "maximum" reading as "max" would match a friend called Max.
 */
const LIMIT_WORD = /^(max|min)(\p{L}{3,})$/u;
const BOUNDED = new Set(
  (
    'memory mem conn connection client size length len body age retry thread worker pool idle file key ' +
    'heap request req item rate entry lifetime wait wal byte line token page upload backlog children ' +
    'proc process session ttl depth count result width height delay interval batch queue replica ' +
    'instance node spare server timeout time user'
  )
    .split(' ')
    .map((w) => stem(w)),
);

/**
 * A limit's name as its bound and the thing it bounds, after its own term ("maxmemory", then "max",
 * "memory"): a setting is asked about in words ("How much memory can Redis use?"), and as one term
 * `--maxmemory 256mb` matched none of them (review s34 h2). Names written in snake, kebab or camel
 * case are split already.
 */
function limitParts(word: string): string[] {
  const m = LIMIT_WORD.exec(word);
  if (!m) return [];
  const rest = stem(m[2] as string);
  return BOUNDED.has(rest) ? [m[1] as string, rest] : [];
}

/**
 * A version written as a package's or an image's tag: `postgres:16.4`, `bitnami/redis:7.2.4`,
 * `lodash@4.17.21`, `django==4.2`, `v1.2.3`. The name is in lower case and its last letter comes
 * right before the mark, so a time ("at 10:30"), a price ("16.40 EUR") or a capitalised label's
 * value ("Ratio:1.5", "grade A:4.0", re-read s35) is not one.
 */
const VERSION_MARK = /(?:[:@]|==|(?<![\p{L}\p{N}])v)\d+(?:\.\d+)+/gu;
const NAME_BEFORE = /\p{L}+$/u;

function holdsVersionTag(text: string): boolean {
  for (const m of text.matchAll(VERSION_MARK)) {
    if (m[0].startsWith('v')) return true;
    // The name is read back from the mark (a bounded window): a regex asking for the lowercase run
    // before the mark rescanned a long run of letters from each of its letters.
    const name = NAME_BEFORE.exec(text.slice(Math.max(0, (m.index ?? 0) - 40), m.index))?.[0] ?? '';
    if (name.length >= 2 && name === name.toLowerCase()) return true;
  }
  return false;
}

/**
 * Content terms of a text: lowercase word stems without stop words (CJK runs as character pairs), a
 * camel-case word followed by the words it joins (camelParts), a limit's one-word name followed by
 * its bound and what it bounds (limitParts), and "version" after a text holding a version tag
 * (holdsVersionTag): "Which Postgres version does the stack use?" is answered by `image: postgres:16.4`,
 * which names no version (review s34 h2: at 0.1 the database's user and password lines were kept).
 */
export function terms(text: string): string[] {
  const words = unstopped(text, /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu);
  let out = words.flatMap((w) => (CJK.test(w) ? cjkTerms(w) : [stem(w), ...limitParts(w)]));
  if (holdsVersionTag(text)) out.push('version');
  // Most texts have no camel-case word: one test, and the terms as they were.
  if (!/\p{Ll}\p{Lu}|\p{Lu}\p{Lu}\p{Ll}/u.test(text)) return out;
  const parts = [...foldLatin(text).matchAll(CAMEL_WORD)].flatMap((m) => camelParts(m[0]));
  if (parts.length) out = [...out, ...parts];
  return out;
}

export interface Bm25Index {
  /** BM25 of every document for the query's terms (0 where none occurs). */
  score(queryTerms: readonly string[]): Float64Array;
  readonly size: number;
}

export function bm25Index(documents: readonly string[], k1 = 1.2, b = 0.75): Bm25Index {
  const postings = new Map<string, { doc: number; tf: number }[]>();
  const lengths = new Float64Array(documents.length);
  documents.forEach((d, doc) => {
    const ts = terms(d);
    lengths[doc] = ts.length;
    const tf = new Map<string, number>();
    for (const t of ts) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      const list = postings.get(t) ?? [];
      list.push({ doc, tf: n });
      postings.set(t, list);
    }
  });
  let total = 0;
  for (const l of lengths) total += l;
  const avg = documents.length ? total / documents.length || 1 : 1;
  const n = documents.length;
  return {
    size: n,
    score(queryTerms) {
      const out = new Float64Array(n);
      for (const t of new Set(queryTerms)) {
        const list = postings.get(t);
        if (!list) continue;
        const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
        for (const { doc, tf } of list) {
          const norm = tf + k1 * (1 - b + (b * (lengths[doc] as number)) / avg);
          out[doc] = (out[doc] as number) + (idf * tf * (k1 + 1)) / norm;
        }
      }
      return out;
    },
  };
}
