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
  return withLongPiecesMerged(enc, tables);
}

/**
 * The longest piece of the pre-tokenizer's split byte-pair-encoded by js-tiktoken. Its merge scans
 * all of a piece's pairs after each merge, quadratic in the piece's length: a run of one class of
 * character is one piece (20,000 dashes, a word of 20,000 letters, a run of blanks), and one line of
 * 10,000 dashes took about 50 s to count, 200 KB minutes (session 39 item 6). A longer piece is
 * merged here with a heap of its pairs (mergedRanks): the same merges in the same order (the
 * lowest rank first, the leftmost of equal ranks), so the same tokens, in n log n.
 */
const LONGEST_PIECE = 64;

/**
 * A quick test for a piece longer than LONGEST_PIECE: such a piece holds a run of half as many
 * blanks or of half as many other characters (a piece is a run of one or the other, a character
 * before it, line ends or slashes after it). A text without one is encoded in one call, as before.
 */
const LONG_RUN = new RegExp(`\\S{${LONGEST_PIECE / 2}}|\\s{${LONGEST_PIECE / 2}}`, 'u');

/** A binary heap of a piece's adjacent pairs, the lowest rank first, then the leftmost. */
function pairHeap() {
  const items: [rank: number, start: number, mid: number, end: number][] = [];
  const less = (a: number, b: number) => {
    const x = items[a] as [number, number, number, number];
    const y = items[b] as [number, number, number, number];
    return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
  };
  const swap = (a: number, b: number) => {
    const t = items[a] as [number, number, number, number];
    items[a] = items[b] as [number, number, number, number];
    items[b] = t;
  };
  return {
    push(item: [number, number, number, number]) {
      items.push(item);
      for (let i = items.length - 1; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    },
    pop(): [number, number, number, number] | undefined {
      const top = items[0];
      const last = items.pop();
      if (items.length && last) {
        items[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const m = l + 1 < items.length && less(l + 1, l) ? l + 1 : l;
          if (l >= items.length || !less(m, i)) break;
          swap(i, m);
          i = m;
        }
      }
      return top;
    },
  };
}

/**
 * The ranks of a piece's tokens, merged as js-tiktoken's bytePairMerge merges them (the pair of the
 * lowest rank first, the leftmost of equals), each merge updating only its two neighbouring pairs.
 */
function mergedRanks(bytes: Uint8Array, rankOf: (key: string) => number | undefined): number[] {
  const n = bytes.length;
  const key = (from: number, to: number) => bytes.subarray(from, to).join(',');
  // Each part by its first byte: the next part's first byte, the previous part's, alive or merged.
  const next = Int32Array.from({ length: n }, (_, i) => i + 1);
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const alive = new Uint8Array(n).fill(1);
  const heap = pairHeap();
  const offer = (start: number, mid: number, end: number) => {
    const rank = rankOf(key(start, end));
    if (rank !== undefined) heap.push([rank, start, mid, end]);
  };
  for (let i = 0; i + 1 < n; i++) offer(i, i + 1, i + 2);
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [, start, mid, end] = top;
    if (!alive[start] || !alive[mid] || next[start] !== mid || next[mid] !== end) continue;
    alive[mid] = 0;
    next[start] = end;
    if (end < n) prev[end] = start;
    const before = prev[start] as number;
    if (before >= 0) offer(before, start, end);
    if (end < n) offer(start, end, next[end] as number);
  }
  const ranks: number[] = [];
  for (let i = 0; i < n; i = next[i] as number) {
    const rank = rankOf(key(i, next[i] as number));
    if (rank !== undefined) ranks.push(rank);
  }
  return ranks;
}

/**
 * The encoder with each piece of its split longer than LONGEST_PIECE merged by mergedRanks; the
 * text between such pieces, and a text with none, encoded by js-tiktoken as before.
 */
function withLongPiecesMerged(enc: Tiktoken, tables: EncoderTables): Tiktoken {
  const pattern = (enc as unknown as { patStr?: string }).patStr;
  if (!pattern) return enc;
  const encode = enc.encode.bind(enc);
  const split = new RegExp(pattern, 'gu');
  const utf8 = new TextEncoder();
  const rankOf = (k: string) => tables.rankMap.get(k);
  enc.encode = (text, allowedSpecial, disallowedSpecial) => {
    if (!LONG_RUN.test(text)) return encode(text, allowedSpecial, disallowedSpecial);
    const out: number[] = [];
    let from = 0;
    split.lastIndex = 0;
    for (let m = split.exec(text); m !== null; m = split.exec(text)) {
      if (m[0].length === 0) {
        split.lastIndex++;
        continue;
      }
      if (m[0].length <= LONGEST_PIECE) continue;
      if (m.index > from) out.push(...encode(text.slice(from, m.index), allowedSpecial, disallowedSpecial));
      const bytes = utf8.encode(m[0]);
      const whole = rankOf(bytes.join(','));
      for (const rank of whole === undefined ? mergedRanks(bytes, rankOf) : [whole]) out.push(rank);
      from = m.index + m[0].length;
    }
    if (from < text.length) out.push(...encode(text.slice(from), allowedSpecial, disallowedSpecial));
    return out;
  };
  return enc;
}
