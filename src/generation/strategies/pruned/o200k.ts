import { getEncoder } from '../../../tokenizers/tiktoken.ts';

/**
 * The project's o200k encoder as a synchronous count: word selection counts thousands of pieces in
 * a loop, where the async `countTiktoken` would add a promise per word.
 */
export async function o200kSync(): Promise<(s: string) => number> {
  const enc = await getEncoder('o200k');
  return (s: string) => (s ? enc.encode(s, [], []).length : 0);
}
