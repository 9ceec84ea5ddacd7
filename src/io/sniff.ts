import { open } from 'node:fs/promises';

/** How many bytes are enough to tell JSON lines, text and binary apart. */
const HEAD_BYTES = 4096;

export type Sniffed = 'jsonl' | 'text' | 'binary' | 'empty';

/**
 * Guesses a file's kind from its first bytes only (never the whole file, which may be huge):
 * NUL bytes mean binary, a first non-blank "{" means JSON lines, anything else is text.
 */
export async function sniffFile(path: string): Promise<Sniffed> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.includes(0)) return 'binary';
    const text = head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (!text) return bytesRead === 0 ? 'empty' : 'text';
    return text.startsWith('{') ? 'jsonl' : 'text';
  } finally {
    await handle.close();
  }
}
