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
    return { message: 'not UTF-8 text' };
  }
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
