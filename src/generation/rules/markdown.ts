import { isBoldTitle } from '../bold-titles.ts';
import type { ProseStats } from './prose.ts';
import { compressProse } from './prose.ts';

export type Segment =
  | { kind: 'prose'; text: string }
  | { kind: 'fence'; text: string; info: string; body: string; open: string; close: string };

/** Splits Markdown into prose and fenced code blocks (``` or ~~~, any length). */
export function splitFences(text: string): Segment[] {
  const lines = text.split('\n');
  const segments: Segment[] = [];
  let prose: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const open = /^(\s{0,3})(`{3,}|~{3,})(.*)$/.exec(line);
    if (open?.[2]) {
      const fence = open[2];
      const closeRe = new RegExp(`^\\s{0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
      let j = i + 1;
      while (j < lines.length && !closeRe.test(lines[j] as string)) j++;
      if (j < lines.length) {
        if (prose.length) segments.push({ kind: 'prose', text: prose.join('\n') });
        prose = [];
        segments.push({
          kind: 'fence',
          text: lines.slice(i, j + 1).join('\n'),
          info: (open[3] ?? '').trim(),
          body: lines.slice(i + 1, j).join('\n'),
          open: line,
          close: lines[j] as string,
        });
        i = j + 1;
        continue;
      }
    }
    prose.push(line);
    i++;
  }
  if (prose.length) segments.push({ kind: 'prose', text: prose.join('\n') });
  return segments;
}

export interface MarkdownStats extends ProseStats {
  markup: number;
}

const BADGE = /\[!\[[^\]]*\]\([^)]*(shields\.io|badge|travis-ci|codecov|circleci)[^)]*\)\]\([^)]*\)\s*/gi;

/** Markup that costs tokens and says nothing a model needs. */
function simplifyMarkup(line: string, stats: MarkdownStats): string {
  let out = line;
  const count = (re: RegExp, rep: string | ((...m: string[]) => string)) => {
    out = out.replace(re, (...args: unknown[]) => {
      stats.markup++;
      return typeof rep === 'string' ? rep : rep(...(args as string[]));
    });
  };
  count(BADGE, '');
  count(/^(\s{0,3}#{1,6}\s+.*?)\s+#+\s*$/, (_m, h) => h as string); // closing #s of a heading
  count(/^(\s*)[*+](\s+)/, (_m, i, s) => `${i}-${s}`); // one bullet character
  // Bold, but not a bold title opening the line: a heading (bold-titles.ts).
  const title = (t: string, at: number) => /^[ \t]{0,3}$/.test(out.slice(0, at)) && isBoldTitle(t);
  out = out.replace(/\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*/g, (m, t: string, at: number) => {
    if (title(t, at)) return m;
    stats.markup++;
    return t;
  });
  out = out.replace(/(?<![\w_])__(?=\S)([^_\n]+?)(?<=\S)__(?![\w_])/g, (m, t: string, at: number) => {
    if (title(t, at)) return m;
    stats.markup++;
    return t;
  });
  if (/^\s*\|.*\|\s*$/.test(out)) {
    // Tables: cells without padding; separator rows to their shortest valid form.
    if (/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$/.test(out)) {
      const cells = out
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|');
      const sep = `|${cells.map((c) => (c.trim().startsWith(':') ? ':' : '') + '-' + (c.trim().endsWith(':') ? ':' : '')).join('|')}|`;
      if (sep !== out.trim()) stats.markup++;
      out = sep;
    } else {
      // A pipe escaped inside a cell (`\|`) is the cell's text, its spaces kept: tightened as a
      // border, 'Engineer \| on call' read 'Engineer \|on call' (re-read of session 37).
      const tight = out.trim().replace(/\s*(?<!\\)\|\s*/g, '|');
      if (tight !== out) stats.markup++;
      out = tight;
    }
  }
  return out;
}

/** Splits a prose line into text and `inline code` so only the text is rewritten. */
function mapOutsideInlineCode(line: string, fn: (text: string) => string): string {
  const parts = line.split(/(`+[^`]*`+)/);
  return parts.map((p, i) => (i % 2 === 1 ? p : fn(p))).join('');
}

/** Markdown and prose rules for a prose segment (no fences inside). */
export function compressMarkdownProse(text: string, stats: MarkdownStats): string {
  const lines = text
    .replace(/<!--[\s\S]*?-->/g, () => {
      stats.markup++;
      return '';
    })
    .split('\n');
  const out: string[] = [];
  for (const line of lines) {
    // Horizontal rules separate nothing a model needs separated.
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line) && out.length && out[out.length - 1]?.trim() === '') {
      stats.markup++;
      continue;
    }
    out.push(mapOutsideInlineCode(simplifyMarkup(line, stats), (t) => compressProse(t, stats)));
  }
  return out.join('\n');
}
