import { splitUnits, type Unit } from '../generation/strategies/pruned/index.ts';

/**
 * Keep/drop labels for the token classifier, one per whitespace word of the original (the same
 * words `pruned` and the classifier keep or drop), from a compression of it, as LLMLingua-2
 * builds its labels: each compressed word is matched, in order, to the nearest same word of the
 * original after the previous match, within a window. An extractive compression (every word of
 * it found verbatim, in order) labels exactly; an abstractive one is matched on normalised words
 * (lowercase, letters and digits only), and the share of its words that found no match says how
 * far it strays from the original: past a threshold the pair teaches nothing about which words
 * to keep and is left out.
 */

export interface AlignOptions {
  /** How far past the previous match (in original words) a compressed word is looked for. */
  window?: number;
}

export interface Alignment {
  /** 1 = keep, per word of the original (`splitUnits`). */
  labels: Uint8Array;
  words: string[];
  /** Every compressed word matched verbatim and in order. */
  extractive: boolean;
  /** Compressed words with no match in the original, over all compressed words. */
  unmatchedShare: number;
  compressedWords: number;
}

const DEFAULT_WINDOW = 200;

/** Letters and digits, lowercased: "Yes," ~ "yes", "Mel's" ~ "mels". Empty for pure punctuation. */
export function normaliseWord(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

function greedyMatch(
  orig: readonly string[],
  comp: readonly string[],
  window: number,
): { labels: Uint8Array; unmatched: number } {
  const labels = new Uint8Array(orig.length);
  let next = 0;
  let unmatched = 0;
  for (let c = 0; c < comp.length; c++) {
    const w = comp[c] as string;
    if (w === '') continue; // punctuation alone: nothing to learn from, not a miss
    const limit = Math.min(orig.length, next + window);
    let first = -1;
    let chosen = -1;
    const after = comp[c + 1];
    for (let j = next; j < limit; j++) {
      if (orig[j] !== w) continue;
      if (first < 0) first = j;
      // Prefer the occurrence the next compressed word follows directly ("the cat" after
      // "the dog saw the cat" is the second "the"), else the nearest.
      if (after === undefined || orig[j + 1] === after) {
        chosen = j;
        break;
      }
    }
    const at = chosen >= 0 ? chosen : first;
    if (at < 0) {
      unmatched++;
      continue;
    }
    labels[at] = 1;
    next = at + 1;
  }
  return { labels, unmatched };
}

export function alignCompression(original: string, compressed: string, options: AlignOptions = {}): Alignment {
  const window = options.window ?? DEFAULT_WINDOW;
  const units = splitUnits(original);
  const words = units.map((u: Unit) => original.slice(u.word, u.end));
  const compWords = splitUnits(compressed).map((u) => compressed.slice(u.word, u.end));
  const exact = greedyMatch(words, compWords, window);
  if (exact.unmatched === 0)
    return { labels: exact.labels, words, extractive: true, unmatchedShare: 0, compressedWords: compWords.length };
  const norm = greedyMatch(words.map(normaliseWord), compWords.map(normaliseWord), window);
  const counted = compWords.filter((w) => normaliseWord(w) !== '').length;
  return {
    labels: norm.labels,
    words,
    extractive: false,
    unmatchedShare: counted ? norm.unmatched / counted : 0,
    compressedWords: compWords.length,
  };
}
