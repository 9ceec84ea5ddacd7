import { createWriteStream } from 'node:fs';

/**
 * A JSON-lines corpus of `n` short distinct records, written as a stream (for concurrency and crash
 * tests and benches). `wordy` records carry filler the rules compressor removes, so they make pairs.
 */
export async function writeBigJsonl(file: string, n: number, prefix = 'big', wordy = false): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) {
    const text = wordy
      ? `Well, basically, I think that record ${prefix} ${i} was actually moved to room ${i % 97} in order to make sure that everyone can really attend it, you know.`
      : `Record ${prefix} ${i}: the meeting moved to room ${i % 97} at ${i % 24}:00.`;
    const line = `${JSON.stringify({ id: `${prefix}-${i}`, text })}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}
