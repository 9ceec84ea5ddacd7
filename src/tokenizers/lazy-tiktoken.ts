import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

/**
 * js-tiktoken's constructor turns every rank (200k for o200k) into two maps keyed by joined byte
 * strings: about 0.8 s of CPU and a burst of garbage before the first count, which made a one-line
 * `studio compress` take seconds. This builds the same encoder with empty tables and answers its
 * lookups from an index over the rank string itself: one pass hashes each base64 token into an
 * open-addressing table of positions (typed arrays, no per-token strings), ~20x cheaper. Answers
 * are cached under the library's own key, so repeated pieces cost what they cost before. Output is
 * identical to the library's (lazy-tiktoken.test.ts compares them on prose, code and other scripts).
 */

/** The two tables js-tiktoken's encode and decode read (`this.rankMap.get`, `this.textMap.get`). */
interface EncoderTables {
  rankMap: { get(key: string): number | undefined };
  textMap: { get(rank: number): Uint8Array | undefined };
}

const SPACE = 32;
const MISSING = -1;

/** FNV-1a over a token's characters (base64: ASCII only). */
function hashChars(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface RankIndex {
  rankOf(base64: string): number | undefined;
  base64Of(rank: number): string | undefined;
}

/** Lines of "<prefix> <offset> <token> <token> ...": the k-th token of a line has rank offset + k. */
function indexRanks(bpe: string): RankIndex {
  let capacity = 1024;
  let starts = new Int32Array(capacity);
  let lengths = new Int32Array(capacity);
  let ranks = new Int32Array(capacity);
  let hashes = new Uint32Array(capacity);
  let count = 0;
  let i = 0;
  while (i < bpe.length) {
    let lineEnd = bpe.indexOf('\n', i);
    if (lineEnd < 0) lineEnd = bpe.length;
    const prefixEnd = bpe.indexOf(' ', i);
    if (prefixEnd < 0 || prefixEnd > lineEnd) {
      i = lineEnd + 1;
      continue;
    }
    let offsetEnd = bpe.indexOf(' ', prefixEnd + 1);
    if (offsetEnd < 0 || offsetEnd > lineEnd) offsetEnd = lineEnd;
    let rank = Number.parseInt(bpe.slice(prefixEnd + 1, offsetEnd), 10);
    let p = offsetEnd + 1;
    while (p < lineEnd) {
      // One pass per token: find its end and hash it (FNV-1a, as hashChars does).
      let h = 0x811c9dc5;
      let q = p;
      for (; q < lineEnd; q++) {
        const c = bpe.charCodeAt(q);
        if (c === SPACE) break;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (q > p) {
        if (count === capacity) {
          capacity *= 2;
          const grow = <T extends Int32Array | Uint32Array>(a: T, make: (n: number) => T): T => {
            const b = make(capacity);
            b.set(a);
            return b;
          };
          starts = grow(starts, (n) => new Int32Array(n));
          lengths = grow(lengths, (n) => new Int32Array(n));
          ranks = grow(ranks, (n) => new Int32Array(n));
          hashes = grow(hashes, (n) => new Uint32Array(n));
        }
        starts[count] = p;
        lengths[count] = q - p;
        ranks[count] = rank++;
        hashes[count] = h >>> 0;
        count++;
      }
      p = q + 1;
    }
    i = lineEnd + 1;
  }
  let size = 1;
  while (size < count * 2) size <<= 1;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(MISSING);
  // Inserted last to first: a lookup stops at the first match on its probe path, so a later
  // duplicate wins, as in the library's object of ranks.
  for (let t = count - 1; t >= 0; t--) {
    let h = (hashes[t] as number) & mask;
    while (slots[h] !== MISSING) h = (h + 1) & mask;
    slots[h] = t;
  }
  let byRank: Map<number, number> | undefined;
  return {
    rankOf(base64) {
      let h = hashChars(base64, 0, base64.length) & mask;
      for (;;) {
        const at = slots[h] as number;
        if (at === MISSING) return undefined;
        if (lengths[at] === base64.length && bpe.startsWith(base64, starts[at] as number)) return ranks[at];
        h = (h + 1) & mask;
      }
    },
    base64Of(rank) {
      if (!byRank) {
        byRank = new Map();
        for (let t = 0; t < count; t++) byRank.set(ranks[t] as number, t);
      }
      const t = byRank.get(rank);
      if (t === undefined) return undefined;
      const start = starts[t] as number;
      return bpe.slice(start, start + (lengths[t] as number));
    },
  };
}

export function createLazyTiktoken(ranks: TiktokenBPE): Tiktoken {
  const enc = new Tiktoken({ ...ranks, bpe_ranks: '' });
  const index = indexRanks(ranks.bpe_ranks);
  // "104,101,108" (the library's key for a byte sequence) -> rank, or MISSING.
  const byKey = new Map<string, number>();
  const tables = enc as unknown as EncoderTables;
  tables.rankMap = {
    get(key) {
      let rank = byKey.get(key);
      if (rank === undefined) {
        rank = index.rankOf(Buffer.from(key.split(',').map(Number)).toString('base64')) ?? MISSING;
        byKey.set(key, rank);
      }
      return rank === MISSING ? undefined : rank;
    },
  };
  tables.textMap = {
    get(rank) {
      const b64 = index.base64Of(rank);
      return b64 === undefined ? undefined : new Uint8Array(Buffer.from(b64, 'base64'));
    },
  };
  return enc;
}
