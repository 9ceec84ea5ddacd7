/**
 * Whitespace normalisation for prose: the same words in fewer tokens. Line structure and
 * indentation are kept (Markdown and dialogue depend on them); runs of blank lines become one.
 * Inline code spans are left exactly as written.
 */
export function normaliseProseLine(line: string): string {
  const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
  const body = line
    .slice(indent.length)
    .split(/(`+[^`]*`+)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/[\u200B-\u200D\uFEFF\u0000]/g, '')
            .replace(/[\u00A0\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
            .replace(/[ \t]{2,}/g, ' '),
    )
    .join('');
  return (indent + body).replace(/[ \t]+$/, '');
}

export function normaliseProseWhitespace(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map(normaliseProseLine)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}
