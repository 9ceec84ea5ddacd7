import type { Tiktoken } from 'js-tiktoken/lite';
import { createLazyTiktoken } from './lazy-tiktoken.ts';

export type TiktokenEncoding = 'o200k' | 'cl100k';

// Rank tables are a few MB each; load one only when a count for it is first asked.
const encoders = new Map<TiktokenEncoding, Tiktoken>();

async function loadRanks(encoding: TiktokenEncoding) {
  return encoding === 'o200k'
    ? (await import('js-tiktoken/ranks/o200k_base')).default
    : (await import('js-tiktoken/ranks/cl100k_base')).default;
}

export async function getEncoder(encoding: TiktokenEncoding): Promise<Tiktoken> {
  let enc = encoders.get(encoding);
  if (!enc) {
    enc = createLazyTiktoken(await loadRanks(encoding));
    encoders.set(encoding, enc);
  }
  return enc;
}

/**
 * Exact count (but for a piece of over LONG_PIECE characters, within a token or so). Special-token strings such as "<|endoftext|>" in user text are counted as the plain
 * text they are, which is what the APIs do with message content.
 */
export async function countTiktoken(text: string, encoding: TiktokenEncoding): Promise<number> {
  if (!text) return 0;
  const enc = await getEncoder(encoding);
  return encodedLength(enc, text);
}

/**
 * Pieces of the pre-tokenizer longer than this (in characters) are counted a chunk at a time. The
 * library's byte-pair merge is quadratic in a piece's length, and the pre-tokenizer makes a run of
 * punctuation, emoji or letters of any length one piece: a document of 4,000 nested brackets took
 * seconds a count, 4,800 characters of emoji 48 s, and a compression counts many drafts (found by a
 * fuzz, session 40). Merges rarely reach across a chunk, so such a piece's count moves by a token
 * or so a chunk, where it moves at all; every other piece is counted exactly.
 */
const LONG_PIECE = 128;

/** A chunk of a long piece, in UTF-8 bytes: the merge's cost grows with the square of its bytes. */
const CHUNK_BYTES = 64;

const LONG_RUN = new RegExp(`\\S{${LONG_PIECE + 1}}`);

/** The number of tokens of `text`: exact, but for pieces longer than LONG_PIECE (see there). */
export function encodedLength(enc: Tiktoken, text: string): number {
  if (!text) return 0;
  const pattern = (enc as unknown as { patStr?: string }).patStr;
  if (!pattern || !LONG_RUN.test(text)) return enc.encode(text, [], []).length;
  // The encoder encodes each piece of its pattern on its own, so their counts add up to the text's.
  const pieces = Array.from(text.matchAll(new RegExp(pattern, 'gu')), ([piece]) => piece);
  if (pieces.every((piece) => piece.length <= LONG_PIECE)) return enc.encode(text, [], []).length;
  return pieces.reduce((n, piece) => n + pieceLength(enc, piece), 0);
}

/** The number of tokens of one piece of the encoding's pre-tokenizer. */
export function pieceLength(enc: Tiktoken, piece: string): number {
  if (piece.length <= LONG_PIECE) return enc.encode(piece, [], []).length;
  let n = 0;
  let chunk = '';
  let bytes = 0;
  for (const char of piece) {
    const size = Buffer.byteLength(char);
    if (bytes + size > CHUNK_BYTES) {
      n += enc.encode(chunk, [], []).length;
      chunk = '';
      bytes = 0;
    }
    chunk += char;
    bytes += size;
  }
  return n + (chunk ? enc.encode(chunk, [], []).length : 0);
}
