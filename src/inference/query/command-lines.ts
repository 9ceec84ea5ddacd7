/**
 * A command written over lines (a Dockerfile's `RUN apt-get ... \`, a script's `exec celery ... \`)
 * that is the most relevant unit but over the budget alone, cut to its lines that answer: its first
 * line, then the continued lines sharing a word with the question or nearer it by MiniLM than the
 * command's average line, as many as fit, best first; each run of lines left out shown as `...` at
 * its indentation. Left out whole, the Dockerfile came back as its filler (`FROM`, `WORKDIR`,
 * `COPY . .`) for "Which system packages are installed for image handling?" (session 38 F3), the
 * packages asked for in the 75-token RUN over a budget of 51.
 */
import { cosine } from '../../embeddings/cosine.ts';
import { terms } from './bm25.ts';
import type { EmbeddingStore } from './embedding-store.ts';

/** A line going on on the next: `\` at its end. */
const CONTINUED = /(?<!\\)\\\r?$/;
/** An indented comment inside a continued command (a Dockerfile's `# image tools`). */
const INNER_COMMENT = /^[ \t]+#/;
/** The line standing for a run of a command's lines left out. */
export const ELIDED = '...';

/** The lines of a text that is one command continued over three lines or more, or null. */
function commandLines(text: string): string[] | null {
  const lines = text.split('\n');
  if (lines.length < 3 || !CONTINUED.test(lines[0] as string)) return null;
  return lines.slice(0, -1).every((l) => CONTINUED.test(l) || INNER_COMMENT.test(l)) ? lines : null;
}

/** The kept lines in order, each run of lines left out as one `...` at its first line's indentation. */
function render(lines: readonly string[], keep: ReadonlySet<number>): string {
  const out: string[] = [];
  lines.forEach((line, k) => {
    if (keep.has(k)) out.push(line);
    else if (keep.has(k - 1)) out.push(`${line.match(/^\s*/)?.[0] ?? ''}${ELIDED}`);
  });
  return out.join('\n');
}

/**
 * The command's first line and its lines that answer the query, as many as `fits`, or null when
 * `text` is no command continued over lines or none of its lines answers.
 */
export async function answeringCommandLines(
  text: string,
  query: string,
  options: { store: EmbeddingStore | null; fits: (cut: string) => boolean },
): Promise<string | null> {
  const lines = commandLines(text);
  if (!lines) return null;
  const asked = new Set(terms(query));
  const shared = lines.map((l) => terms(l).filter((t) => asked.has(t)).length);
  let dense: number[] | null = null;
  if (options.store) {
    const [q, ...vectors] = await options.store.embed([query, ...lines.map((l) => l.trim())]);
    dense = vectors.map((v) => cosine(q as Float32Array, v));
  }
  const rest = lines.map((_, k) => k).slice(1);
  const mean = dense ? rest.reduce((s, k) => s + (dense?.[k] ?? 0), 0) / rest.length : 0;
  // A shared word first (lexical), then MiniLM: above the command's average line, a line answers.
  const answers = rest
    .filter((k) => (shared[k] as number) > 0 || (dense !== null && (dense[k] as number) > mean))
    .sort((a, b) => (shared[b] as number) - (shared[a] as number) || (dense?.[b] ?? 0) - (dense?.[a] ?? 0));
  const keep = new Set([0]);
  for (const k of answers) {
    keep.add(k);
    if (!options.fits(render(lines, keep))) keep.delete(k);
  }
  return keep.size > 1 && options.fits(render(lines, keep)) ? render(lines, keep) : null;
}
