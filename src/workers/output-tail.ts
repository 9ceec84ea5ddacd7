/**
 * What a child wrote to stderr, bounded: pip, the converters and torch print pages of progress
 * before the one line that says what went wrong, so only the end is kept.
 */
export interface OutputTail {
  push(chunk: string): void;
  /** The raw characters kept, at most the bound. */
  text(): string;
}

export function createOutputTail(maxChars: number): OutputTail {
  let kept = '';
  return {
    push(chunk) {
      kept = kept.length + chunk.length <= maxChars ? kept + chunk : (kept + chunk).slice(-maxChars);
    },
    text: () => kept,
  };
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** A child's last meaningful stderr lines: colours stripped, carriage-return progress collapsed. */
export function stderrTail(stderr: string, lines = 12): string {
  return stderr
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.split('\r').at(-1)?.trimEnd() ?? '')
    .filter((l) => l.trim().length > 0)
    .slice(-lines)
    .join('\n');
}
