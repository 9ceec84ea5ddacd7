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
 * Exact count. Special-token strings such as "<|endoftext|>" in user text are counted as the plain
 * text they are, which is what the APIs do with message content.
 */
export async function countTiktoken(text: string, encoding: TiktokenEncoding): Promise<number> {
  if (!text) return 0;
  const enc = await getEncoder(encoding);
  return enc.encode(text, [], []).length;
}
