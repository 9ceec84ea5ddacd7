import type { Domain } from '../../contracts/source.ts';
import { locateJsonError } from '../../io/json-error.ts';
import { firstBrokenLine } from '../../util/json-lines.ts';
import { classifyDomain } from '../domain.ts';
import { normaliseFenceLanguage } from '../languages.ts';
import { mergeSpans, userSpans } from '../protect.ts';
import { type ChatStats, compressChat } from './chat.ts';
import { stripCode } from './code/strip.ts';
import { minifyJson } from './json.ts';
import { compressMarkdownProse, type MarkdownStats, splitFences } from './markdown.ts';
import { normaliseProseWhitespace } from './whitespace.ts';

/** Bumped whenever a rule changes what it outputs: stored on every pair this strategy makes. */
export const RULES_VERSION = '0.1.0';

export interface RulesOptions {
  domain?: Domain;
  language?: string | null;
  /** A file path helps the classifier when domain/language are not given. */
  path?: string;
  /** Spans that must survive: in code, a comment or docstring holding one stays whole. */
  protect?: readonly (string | RegExp)[];
  /**
   * Code keeps its comments and docstrings (blank lines still go): a query's selection of code
   * (query/code-select.ts) keeps what the functions it needs say of themselves.
   */
  keepDocs?: boolean;
}

export interface RulesResult {
  text: string;
  domain: Domain;
  language: string | null;
  /** What each rule did, for the report. */
  stats: Record<string, number>;
  /** For code: whether the result was proven to have the same syntax tree. */
  verified: 'ast' | 'json' | 'none' | 'n/a';
  notes: string[];
}

function emptyStats(): MarkdownStats & ChatStats {
  return { phrases: 0, openers: 0, fillers: 0, markup: 0, mergedTurns: 0, collapsedHeaders: 0, interjections: 0 };
}

async function compressCode(
  text: string,
  language: string | null,
  result: RulesResult,
  keep?: readonly (string | RegExp)[],
  keepDocs = false,
): Promise<string> {
  if (language === 'json') {
    const j = minifyJson(text);
    result.verified = j.verified ? 'json' : 'none';
    if (!j.verified) {
      const at = locateJsonError(text);
      result.notes.push(`not valid JSON${at ? ` (line ${at.line}, column ${at.column})` : ''}: left as is`);
    }
    return j.text;
  }
  if (language === 'jsonl') {
    // Each record minified on its own line; a line that is not JSON leaves the whole as it was.
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    const minified = lines.map(minifyJson);
    const verified = minified.every((m) => m.verified);
    result.verified = verified ? 'json' : 'none';
    if (!verified) {
      const bad = firstBrokenLine(text);
      result.notes.push(`not valid JSON lines${bad !== null ? ` (line ${bad} does not parse)` : ''}: left as is`);
    }
    return verified ? minified.map((m) => m.text).join('\n') : text;
  }
  // A table (the domain classifier's csv, tsv), YAML, TOML or INI: data, written back as it is.
  if (language === 'csv' || language === 'tsv' || language === 'yaml' || language === 'toml' || language === 'ini') {
    result.verified = 'n/a';
    return text;
  }
  if (!language) {
    result.verified = 'none';
    result.notes.push('unknown language: left as is');
    return text;
  }
  const stripped = await stripCode(text, language, {
    comments: !keepDocs,
    docstrings: !keepDocs,
    blankLines: true,
    ...(keep ? { keep } : {}),
  });
  result.verified = stripped.verified;
  result.stats.comments = (result.stats.comments ?? 0) + stripped.removed.comments;
  result.stats.docstrings = (result.stats.docstrings ?? 0) + stripped.removed.docstrings;
  result.stats.blankLines = (result.stats.blankLines ?? 0) + stripped.removed.blankLines;
  if (stripped.note) result.notes.push(stripped.note);
  return stripped.text;
}

async function compressMarkdown(
  text: string,
  result: RulesResult,
  stats: MarkdownStats,
  keep?: readonly (string | RegExp)[],
): Promise<string> {
  const parts: string[] = [];
  let allVerified = true;
  let fences = 0;
  for (const seg of splitFences(text.replace(/\r\n?/g, '\n'))) {
    if (seg.kind === 'prose') {
      // The caller's spans are set aside in prose only: a fenced block's code keeps a comment
      // holding one itself (review: masked, the comment was stripped with the stand-in in it).
      parts.push(
        await shielded(seg.text, keep, async (t) => compressMarkdownProse(normaliseProseWhitespace(t), stats)),
      );
      continue;
    }
    fences++;
    const language = normaliseFenceLanguage(seg.info) ?? null;
    const inner: RulesResult = { ...result, stats: {}, notes: [], verified: 'n/a' };
    const body = await compressCode(seg.body, language, inner, keep);
    if (inner.verified === 'none') allVerified = false;
    for (const [k, v] of Object.entries(inner.stats)) result.stats[k] = (result.stats[k] ?? 0) + v;
    parts.push([seg.open, body, seg.close].join('\n'));
  }
  if (fences) result.verified = allVerified ? 'ast' : 'none';
  return parts
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Stand-ins for a protected span while the prose rules run: private-use code points no rule touches. */
const SHIELD_OPEN = '\uE000';
const SHIELD_CLOSE = '\uE001';
const SHIELDED = /\uE000(\d+)\uE001/g;

/**
 * Runs the prose or chat rules with the caller's protected spans (`--protect`) set aside, each
 * put back as written afterwards (review: a question a caller protected lost its "Basically" and
 * "actually" to the filler rules). Code protects its own (a comment holding a span stays). A text
 * that already holds a stand-in is run as it is.
 */
async function shielded(
  text: string,
  protect: readonly (string | RegExp)[] | undefined,
  run: (text: string) => Promise<string>,
): Promise<string> {
  // A span on a speaker's label ("Tom" of "Tom: ...") is left to the label: the chat rules read
  // labels (and keep them), a stand-in there is no label (review).
  const onLabel = (span: { start: number; end: number }) => {
    const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
    const colon = text.indexOf(':', lineStart);
    const lineEnd = text.indexOf('\n', lineStart);
    return colon >= 0 && (lineEnd < 0 || colon < lineEnd) && span.end <= colon && colon - lineStart <= 40;
  };
  const spans = mergeSpans(userSpans(text, protect)).filter((span) => !onLabel(span));
  if (!spans.length || text.includes(SHIELD_OPEN)) return run(text);
  const saved: string[] = [];
  let masked = '';
  let at = 0;
  for (const s of spans) {
    masked += `${text.slice(at, s.start)}${SHIELD_OPEN}${saved.length}${SHIELD_CLOSE}`;
    saved.push(text.slice(s.start, s.end));
    at = s.end;
  }
  masked += text.slice(at);
  return (await run(masked)).replace(SHIELDED, (_, k: string) => saved[Number(k)] ?? '');
}

/**
 * The rule-based compressor: deterministic, instant, needs no model and no key. Prose loses
 * filler and markup noise, dialogue loses repeated headers, code loses comments, docstrings and
 * blank lines, and code changes are proven by reparsing.
 */
export async function compressWithRules(text: string, options: RulesOptions = {}): Promise<RulesResult> {
  const classified =
    options.domain === undefined ? classifyDomain(text, options.path ? { path: options.path } : {}) : undefined;
  const domain = options.domain ?? classified?.domain ?? 'nl';
  const language = options.language !== undefined ? options.language : (classified?.language ?? null);
  const result: RulesResult = { text, domain, language, stats: {}, verified: 'n/a', notes: [] };
  const stats = emptyStats();
  let out: string;
  switch (domain) {
    case 'code':
      out = await compressCode(text, language, result, options.protect, options.keepDocs === true);
      break;
    case 'chat':
      out = await shielded(text, options.protect, async (t) => compressChat(normaliseProseWhitespace(t).trim(), stats));
      break;
    case 'nl':
    case 'mixed':
      out = await compressMarkdown(text, result, stats, options.protect);
      break;
  }
  for (const [k, v] of Object.entries(stats)) if (v) result.stats[k] = v;
  // Never hand back something longer than what came in.
  result.text = out.length <= text.length ? out : text;
  return result;
}
