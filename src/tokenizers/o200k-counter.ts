import { getEncoder } from './tiktoken.ts';

/**
 * Exact o200k counts, fast enough for the hot path. js-tiktoken splits a text with the encoding's
 * pre-tokenizer pattern and byte-pair-encodes each piece, joining byte arrays into string keys for
 * every lookup: ~5 µs a token here, 20 ms for a 4k-token text, counted twice per call. Pieces
 * (words with their leading space, numbers, punctuation runs) repeat heavily, so this counter
 * runs the same pattern and remembers each piece's token count. The sum is the same number.
 */

const MAX_PIECES = 200_000;

export type TokenCounter = (text: string) => number;

let counter: Promise<TokenCounter> | undefined;

export function o200kCounter(): Promise<TokenCounter> {
  counter ??= (async () => {
    const enc = await getEncoder('o200k');
    const pattern = (enc as unknown as { patStr?: string }).patStr;
    const plain: TokenCounter = (s) => (s ? enc.encode(s, [], []).length : 0);
    if (!pattern) return plain;
    const re = new RegExp(pattern, 'gu');
    const memo = new Map<string, number>();
    return (text: string) => {
      if (!text) return 0;
      let n = 0;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const piece = m[0];
        if (piece.length === 0) {
          re.lastIndex++;
          continue;
        }
        let c = memo.get(piece);
        if (c === undefined) {
          c = enc.encode(piece, [], []).length;
          if (memo.size >= MAX_PIECES) memo.clear();
          memo.set(piece, c);
        }
        n += c;
      }
      return n;
    };
  })();
  return counter;
}
