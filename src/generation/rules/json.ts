import { isDeepStrictEqual } from 'node:util';

/**
 * JSON without insignificant whitespace. Works on the characters (never re-serialises), so numbers
 * and escapes stay byte-identical; the result must parse to the same value or nothing changes.
 */
export function minifyJson(text: string): { text: string; verified: boolean } {
  let original: unknown;
  try {
    original = JSON.parse(text);
  } catch {
    return { text, verified: false };
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (!/\s/.test(ch)) out += ch;
  }
  try {
    if (isDeepStrictEqual(JSON.parse(out), original)) return { text: out, verified: true };
  } catch {
    // fall through
  }
  return { text, verified: false };
}
