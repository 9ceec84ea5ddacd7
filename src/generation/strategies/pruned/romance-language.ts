/**
 * Which of Spanish, Italian and Portuguese a text is written in, from its function words. The
 * pruner needs it for negations that are English words too, or names: Spanish "no" and "ni",
 * Italian "non" and "mai", Portuguese "nem" negate only in their own language ("no sugar" is
 * English, "Mai" a name, "non-profit" an English prefix).
 */

export type RomanceLanguage = 'es' | 'it' | 'pt';

/**
 * Function words common in each language and rare in English: shared ones ("que", "para") count
 * for each language that has them, the distinctive ones decide. English homographs ("son", "sin",
 * "do", "um", "per", "come") are left out. French is counted so a French text is none of the three
 * (its negations are read without a language).
 */
const MARKERS: Readonly<Record<RomanceLanguage | 'fr' | 'en', ReadonlySet<string>>> = {
  es: words(
    'el la los las del y está están pero muy también hay porque cuando donde sus este esta eso esto desde hasta sobre entre ya sí qué como más para por una que con se lo le nos es fue',
  ),
  it: words(
    'il la le non gli della delle degli dello dei di che è sono anche più questo questa quello nel nella negli alla alle allo dal dalla senza perché molto ancora ho hai abbiamo siamo ci una con lo si ma da',
  ),
  pt: words(
    'os dos das em não é são está estão você também ao aos pelo pela mais muito muita isso isto uma com sem mas eu ele ela nós na nas nos foi tem têm que se para por como da',
  ),
  fr: words('le la les des une et est pas pour avec dans du au ce cette qui sur je ne nous vous mais il elle'),
  en: words('the and of to is in that it was for with you are this have on not be'),
};

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(' '));
}

/** Marker hits below this are too few to tell a language by. */
const MIN_HITS = 3;
/** How far the best language must lead the next (of all five) to be named. */
const LEAD = 1.5;

/** The language of `text` by its function words, or undefined (English, French, too short, unclear). */
export function romanceLanguage(text: string): RomanceLanguage | undefined {
  const counts = { es: 0, it: 0, pt: 0, fr: 0, en: 0 };
  for (const w of text.toLowerCase().match(/\p{L}+/gu) ?? [])
    for (const lang of Object.keys(counts) as (keyof typeof counts)[]) if (MARKERS[lang].has(w)) counts[lang]++;
  const ranked = (Object.entries(counts) as [keyof typeof counts, number][]).sort((a, b) => b[1] - a[1]);
  const [best, next] = ranked as [[keyof typeof counts, number], [keyof typeof counts, number]];
  if (best[1] < MIN_HITS || best[1] < LEAD * next[1] || best[0] === 'fr' || best[0] === 'en') return undefined;
  return best[0];
}

/** Hits a paragraph needs to be judged on its own; a shorter one takes the whole text's language. */
const OWN_VERDICT_HITS = 6;

/**
 * The language at each offset of `text`: its paragraph's (blank-line separated) when the paragraph
 * says enough to tell, else the whole text's ("No se pone bañera." alone is too short to tell, in a
 * Spanish diary it is Spanish; an English paragraph in it is English).
 */
export function romanceLanguageAt(text: string): (offset: number) => RomanceLanguage | undefined {
  const whole = romanceLanguage(text);
  const paragraphs: { end: number; lang: RomanceLanguage | undefined }[] = [];
  for (const m of text.matchAll(/[\s\S]*?(?:\n[ \t]*\n|$)/g)) {
    if (!m[0]) break;
    const hits = (m[0].toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) =>
      Object.values(MARKERS).some((set) => set.has(w)),
    ).length;
    paragraphs.push({ end: m.index + m[0].length, lang: hits >= OWN_VERDICT_HITS ? romanceLanguage(m[0]) : whole });
  }
  return (offset) => {
    // The first paragraph ending after `offset`, by halves: a long chat has many.
    let lo = 0;
    let hi = paragraphs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((paragraphs[mid] as { end: number }).end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return paragraphs[lo]?.lang ?? whole;
  };
}
