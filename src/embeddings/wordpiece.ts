import { readFileSync } from 'node:fs';
import { InputError } from '../errors/index.ts';

/**
 * BERT's uncased WordPiece over the model's own vocab.txt, word by word: what the token classifier
 * and the ONNX sentence embedder were trained on (transformers' BertTokenizerFast: clean text, split CJK characters, lowercase and
 * strip accents, split on whitespace and punctuation, then greedy longest-match WordPiece with
 * `##` continuations, a piece it cannot spell becoming [UNK]). Pure and synchronous.
 */
export interface WordPiece {
  /** Token ids of one whitespace-free word (empty for a word of control characters only). */
  encodeWord(word: string): number[];
  /**
   * Token ids of a whole text, as BertTokenizerFast gives them without [CLS]/[SEP]: cleaned (control,
   * format and private-use characters dropped) before it is split on whitespace, so a zero-width
   * no-break space inside a word does not split it.
   */
  encodeText(text: string): number[];
  cls: number;
  sep: number;
  pad: number;
  unk: number;
}

const MAX_CHARS_PER_WORD = 100;

function isPunctuation(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return /\p{P}/u.test(ch);
}

function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x20000 && c <= 0x2a6df) ||
    (c >= 0x2a700 && c <= 0x2b73f) ||
    (c >= 0x2b740 && c <= 0x2b81f) ||
    // 0x2B920, not 0x2B820: the Rust tokenizers crate's range (BertTokenizerFast), which the models used.
    (c >= 0x2b920 && c <= 0x2ceaf) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x2f800 && c <= 0x2fa1f)
  );
}

/**
 * What BertTokenizerFast's cleaning drops: control, format, private-use and lone surrogate
 * characters, except tab, newline and carriage return, which count as whitespace. An unassigned
 * code point stays (and makes its word [UNK]), as there.
 */
function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u.test(ch);
}

/** Normalised pieces of a word, before WordPiece: punctuation and CJK characters alone. */
export function basicPieces(word: string, lowercase = true): string[] {
  let text = '';
  for (const ch of word) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0 || c === 0xfffd || isControl(ch)) continue;
    text += isCjk(c) ? ` ${ch} ` : /\s/u.test(ch) ? ' ' : ch;
  }
  if (lowercase) {
    // Accents stripped, then each code point lowercased alone, as the tokenizers crate does: a whole-
    // string toLowerCase() would apply the final-sigma rule ("ΟΔΟΣ" -> "οδος", not "οδοσ").
    let lower = '';
    for (const ch of text.normalize('NFD').replace(/\p{Mn}/gu, '')) lower += ch.toLowerCase();
    text = lower;
  }
  const pieces: string[] = [];
  for (const chunk of text.split(/\s+/u)) {
    let current = '';
    for (const ch of chunk) {
      if (isPunctuation(ch)) {
        if (current) pieces.push(current);
        pieces.push(ch);
        current = '';
      } else current += ch;
    }
    if (current) pieces.push(current);
  }
  return pieces;
}

export function loadWordPiece(vocabFile: string, options: { lowercase?: boolean } = {}): WordPiece {
  let text: string;
  try {
    text = readFileSync(vocabFile, 'utf8');
  } catch (cause) {
    throw new InputError(`cannot read the model's vocabulary ${vocabFile}`, { file: vocabFile, cause });
  }
  const vocab = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const piece = line.replace(/\r$/, '');
    if (piece !== '' && !vocab.has(piece)) vocab.set(piece, i);
  });
  const special = (name: string) => {
    const id = vocab.get(name);
    if (id === undefined)
      throw new InputError(`${vocabFile} has no ${name}: not a BERT vocabulary`, { file: vocabFile });
    return id;
  };
  const unk = special('[UNK]');
  const lowercase = options.lowercase ?? true;
  const cache = new Map<string, number[]>();

  const wordPiece = (piece: string): number[] => {
    const chars = [...piece];
    if (chars.length > MAX_CHARS_PER_WORD) return [unk];
    const out: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = vocab.get(sub);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [unk];
      out.push(found);
      start = end;
    }
    return out;
  };

  const encodeWord = (word: string): number[] => {
    const hit = cache.get(word);
    if (hit) return hit;
    const ids = basicPieces(word, lowercase).flatMap(wordPiece);
    if (cache.size < 100_000) cache.set(word, ids);
    return ids;
  };
  return {
    encodeWord,
    encodeText: (text) => basicPieces(text, lowercase).flatMap(encodeWord),
    cls: special('[CLS]'),
    sep: special('[SEP]'),
    pad: special('[PAD]'),
    unk,
  };
}
