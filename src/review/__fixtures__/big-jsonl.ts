import { createWriteStream } from 'node:fs';

/** A JSON-lines corpus of `n` short distinct records, written as a stream (for concurrency tests and benches). */
export async function writeBigJsonl(file: string, n: number, prefix = 'big'): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) {
    const line = `${JSON.stringify({ id: `${prefix}-${i}`, text: `Record ${prefix} ${i}: the meeting moved to room ${i % 97} at ${i % 24}:00.` })}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}
