import { readFile } from 'node:fs/promises';
import type { SourceFormat } from '../contracts/source.ts';
import { classifyDomain } from '../generation/domain.ts';
import { languageFromPath } from '../generation/languages.ts';
import type { ImportIssue, ImportRecord, ReaderContext } from './types.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as UTF-8 text (a byte-order mark dropped), or why they are not text: a NUL byte means a
 * binary file; a byte that breaks UTF-8 would otherwise become U+FFFD without a word.
 */
export function decodeText(bytes: Uint8Array): { text: string } | { message: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { message: `binary, not text (a NUL byte at offset ${nul})` };
  try {
    return { text: decoder.decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    const at = firstBadUtf8(bytes);
    if (at >= bytes.length) return { message: 'not UTF-8 text' };
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
    return {
      message: `not UTF-8 text (line ${line}: a byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at} is no UTF-8)`,
    };
  }
}

/** The offset of the first byte that breaks UTF-8 (a stray continuation, a short or overlong sequence, a surrogate). */
function firstBadUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
    const c1 = bytes[i + 1] as number;
    if (
      (b === 0xe0 && c1 < 0xa0) ||
      (b === 0xed && c1 >= 0xa0) ||
      (b === 0xf0 && c1 < 0x90) ||
      (b === 0xf4 && c1 >= 0x90)
    )
      return i;
    i += n + 1;
  }
  return bytes.length;
}

/** Reads a file as UTF-8 text, or says why it is not text. */
export async function readTextFile(path: string, file: string): Promise<string | ImportIssue> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { file, message: `cannot read: ${(error as Error).message}` };
  }
  const decoded = decodeText(bytes);
  return 'text' in decoded ? decoded.text : { file, message: decoded.message };
}

/** A whole file as one source: prose (.md, .txt) or a program (known code extensions). */
export async function readWholeFile(path: string, ctx: ReaderContext): Promise<ImportRecord | ImportIssue> {
  const text = await readTextFile(path, ctx.file);
  if (typeof text !== 'string') return text;
  if (!text.trim()) return { file: ctx.file, message: 'the file is empty' };
  const language = languageFromPath(path);
  const classified = classifyDomain(text, { path });
  const format: SourceFormat = language ? 'code' : /\.(md|markdown|mdx)$/i.test(path) ? 'markdown' : 'text';
  const name = ctx.file.split(/[\\/]/).pop() ?? ctx.file;
  return {
    source: {
      text,
      domain: classified.domain,
      language: classified.language,
      format,
      title: name,
      originPath: ctx.file,
      originRef: null,
      metadata: { bytes: Buffer.byteLength(text) },
      tags: [...ctx.tags],
    },
  };
}
