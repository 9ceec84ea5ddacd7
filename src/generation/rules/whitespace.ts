/**
 * Whitespace normalisation for prose: the same words in fewer tokens. Line structure is kept
 * (Markdown and dialogue depend on it); runs of blank lines become one.
 */
export function normaliseProseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200B-\u200D\uFEFF\u0000]/g, '')
    .replace(/[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .split('\n')
    .map((line) => {
      const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
      return (
        indent +
        line
          .slice(indent.length)
          .replace(/[ \t]{2,}/g, ' ')
          .replace(/[ \t]+$/, '')
      );
    })
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
