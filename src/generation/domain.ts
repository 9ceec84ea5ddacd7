import { parse as parseYaml } from 'yaml';
import type { Domain } from '../contracts/source.ts';
import { locateJsonError } from '../io/json-error.ts';
import { continues, INI_KEY, parseConfigSource } from '../util/config-source.ts';
import { firstBrokenLine, parseJsonLines } from '../util/json-lines.ts';
import { type JsonNode, parseJsonSource, valueNode } from '../util/json-source.ts';
import { parseTable } from '../util/table-source.ts';
import { isUnifiedDiff } from '../util/unified-diff.ts';
import { bestLanguage, isProsePath, languageFromPath, normaliseFenceLanguage } from './languages.ts';
import { BRACKET_HEAD, CHAT_STAMP, CJK_NAME, MARKUP_TAG, TIME_AFTER_NAME, TIMED_STAMP } from './protect.ts';

export interface DomainResult {
  domain: Domain;
  /** The programming language for code, the dominant fenced language for mixed, else null. */
  language: string | null;
  /** Why: a short human-readable reason, shown in the CLI and the app. */
  reason: string;
}

const FENCE = /^\s{0,3}(```+|~~~+)\s*([^`\s]*)/;
/**
 * A turn's line: a capitalised name or a role, or after a chat export's stamp a handle in lower case
 * ("[9:02 AM] alice: ...": a Slack paste was read as prose); a name with letters beyond ASCII
 * ("Lucía:"), a phone export's time after the name ("Me, 08:31:") or a transcript's head alone on
 * its line ("[Jordan Lee] 14:02:11"): review 4, F-19, such chats were reported as prose (domain nl).
 */
const CHAT_LINE = new RegExp(
  String.raw`^\s*(?:${TIMED_STAMP}(?:\*\*)?(@?[a-z][\w.-]{0,31})(?:\*\*)?:\s+\S|(?:${CHAT_STAMP})?(?:\*\*)?(\p{Lu}[\p{L}\p{N}_'.-]*(?: \p{Lu}[\p{L}\p{N}_'.-]*){0,2}|user|assistant|system|human|ai|bot)(?:\*\*)?\s*(?:\([^)]{1,40}\))?(?:${TIME_AFTER_NAME})?:\s+\S|(?:${CHAT_STAMP})?(${CJK_NAME})\s*[:：]\s*\S|${BRACKET_HEAD}\s*$)`,
  'u',
);

/** A line that reads as program text. */
const CODE_LINE = [
  /[;{}]\s*(\/\/.*)?$/,
  /^\s*[)\]}]+[;,)]*\s*$/,
  /^\s*(def|class|import|from|return|const|let|var|function|fn|func|package|pub|impl|use|struct|enum|interface|type|export|async|await|yield|raise|throw|try|catch|except|finally|elif|switch|case|public|private|protected|static|#include|#define|namespace|template|module|require)\b/,
  /^\s*(if|for|while|with)\b.*[:{(]\s*$/,
  /^\s*(if|for|while) ?\(/,
  /=>|===|!==|::|->|\+=|-=|&&|\|\||\w\[\w*\]|\w\(\)|\w\.\w+\(/,
  /^\s*[\w.[\]'"]+\s*=\s*\S.*$/,
  /^\s*@\w+/,
  /^\s*<\/?[a-zA-Z][\w-]*(\s[^>]*)?>\s*$/,
  /^\s*"[\w-]+"\s*:\s*\S/,
  /^\s*\w+\(.*\)[;,]?\s*$/,
];

/** A line that is a comment or inside a docstring: neutral, it tells neither way. */
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*\/?|#(?!include|define|!)|--\s|<!--)/;
const MARKDOWN_LINE = /^\s{0,3}(#{1,6}\s+\S|[-*+]\s+\S|\d+[.)]\s+\S|>\s?\S|\|.*\|\s*$)/;

/** Inline code and link targets say nothing about whether a line is prose: drop them first. */
function withoutMarkup(line: string): string {
  return line
    .replace(/`[^`]*`/g, ' x ')
    .replace(/\]\([^)\s]*\)/g, ']')
    .replace(/<https?:[^>]*>/g, ' ');
}

function isProseLine(raw: string): boolean {
  const line = withoutMarkup(raw);
  const words = line.match(/[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'’-]*/g) ?? [];
  if (words.length < 4) return MARKDOWN_LINE.test(line) && words.length >= 2;
  const symbols = (line.match(/[{}()[\];=<>_$\\|&*^~`]/g) ?? []).length;
  return symbols / line.length < 0.06;
}

function isCodeLine(line: string): boolean {
  return CODE_LINE.some((re) => re.test(line));
}

interface LineTally {
  code: number;
  prose: number;
  /** Longest run of consecutive code lines, and of prose lines: mixed text has both. */
  codeRun: number;
  proseRun: number;
}

/**
 * Tallies lines as code, prose or neutral. Docstrings and comments are neutral so that a well
 * documented program still reads as code.
 */
function tally(lines: readonly string[], startInString: string | null = null): LineTally {
  const t: LineTally = { code: 0, prose: 0, codeRun: 0, proseRun: 0 };
  let run: 'code' | 'prose' | null = null;
  let runLength = 0;
  let inTripleQuote: string | null = startInString;
  let inBlockComment = false;
  const bump = (kind: 'code' | 'prose') => {
    t[kind]++;
    runLength = run === kind ? runLength + 1 : 1;
    run = kind;
    if (kind === 'code') t.codeRun = Math.max(t.codeRun, runLength);
    else t.proseRun = Math.max(t.proseRun, runLength);
  };
  for (const line of lines) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (inTripleQuote) {
      if (trimmed.includes(inTripleQuote)) inTripleQuote = null;
      continue;
    }
    if (inBlockComment) {
      if (trimmed.includes('*/')) inBlockComment = false;
      continue;
    }
    const triple = /^(?:[rRbBuUfF]{0,2})("""|''')/.exec(trimmed);
    if (triple?.[1]) {
      const rest = trimmed.slice(triple[0].length);
      if (!rest.includes(triple[1])) inTripleQuote = triple[1];
      continue;
    }
    if (trimmed.startsWith('/*') && !trimmed.includes('*/')) {
      inBlockComment = true;
      continue;
    }
    if (COMMENT_LINE.test(line) && !MARKDOWN_LINE.test(line)) continue;
    // A string opened after code on this line (`FIX = """`, `return f'''`) and not closed on it
    // runs on: its lines are text, and missing it would turn its closing quotes into an opening.
    const opened = /"""|'''/.exec(trimmed)?.[0];
    if (opened && trimmed.split(opened).length % 2 === 0) inTripleQuote = opened;
    const bare = withoutMarkup(line);
    // "function is called once..." starts with a keyword but is a sentence: a line of words with
    // no code punctuation at all is prose whatever its first word.
    if (/^\s*[A-Za-z][a-z]*\s+[a-z]+\s+[a-z]+\s/.test(bare) && isProseLine(line) && !/[;{}=()[\]'"]/.test(bare)) {
      bump('prose');
    } else if (isCodeLine(bare)) bump('code');
    else if (isProseLine(line)) bump('prose');
  }
  return t;
}

interface Fenced {
  codeLines: string[];
  proseLines: string[];
  fenceLanguages: Map<string, number>;
  fences: number;
}

function splitFences(lines: readonly string[]): Fenced {
  const out: Fenced = { codeLines: [], proseLines: [], fenceLanguages: new Map(), fences: 0 };
  let open: string | null = null;
  for (const line of lines) {
    const m = FENCE.exec(line);
    if (m?.[1]) {
      if (open === null) {
        open = m[1];
        out.fences++;
        const lang = normaliseFenceLanguage(m[2] ?? '');
        if (lang) out.fenceLanguages.set(lang, (out.fenceLanguages.get(lang) ?? 0) + 1);
        continue;
      }
      if (line.trim().startsWith(open[0] ?? '`') && line.trim().replace(/[`~]/g, '') === '') {
        open = null;
        continue;
      }
    }
    (open === null ? out.proseLines : out.codeLines).push(line);
  }
  return out;
}

function isChat(lines: readonly string[]): boolean {
  const nonBlank = lines.filter((l) => l.trim());
  if (nonBlank.length < 3) return false;
  const speakers = new Map<string, number>();
  let turns = 0;
  /** Whether the line is under a transcript's head, no blank line between: the head's turn. */
  let underHead = false;
  for (const line of lines) {
    if (!line.trim()) {
      underHead = false;
      continue;
    }
    const m: RegExpExecArray | null = underHead ? null : CHAT_LINE.exec(line);
    if (underHead) turns++;
    underHead ||= m?.groups?.speaker !== undefined;
    const who = (m?.[1] ?? m?.[2] ?? m?.[3] ?? m?.groups?.speaker)?.toLowerCase();
    if (!who) continue;
    // "Note: ..." or "Example: ..." in prose is not a speaker; speakers come back.
    turns++;
    speakers.set(who, (speakers.get(who) ?? 0) + 1);
  }
  const recurring = [...speakers.values()].filter((n) => n >= 2).length;
  return recurring >= 2 && turns >= 3 && turns / nonBlank.length >= 0.5;
}

/**
 * Rule-based domain: code, prose (nl), a dialogue (chat), or prose with code (mixed), with the
 * programming language. A file path, when given, decides for known code extensions.
 */
/**
 * JSON that does not parse (a missing comma, a cut last line): data all the same, which prose
 * strategies would rewrite into neither JSON nor prose (review: `[{"id": 1, "fact": "Lives Oslo"}
 * {"id": 2 ...`). Read as JSON, it is kept as written, and the reason names where it breaks (with a
 * query, its records are selected: query-stage.ts).
 */
function brokenJson(text: string): DomainResult | undefined {
  const t = text.trim();
  // An object with a quoted key, or an array of objects, strings or arrays: not a note's "[1] Smith".
  if (!/^(?:\{\s*"|\[\s*[{["])/.test(t)) return undefined;
  const lines = t.split(/\r?\n/).filter((l) => l.trim());
  // JSON Lines: every line opens a record; the first that does not parse is named.
  if (lines.length >= 3 && lines.every((l) => /^\s*\{\s*"/.test(l))) {
    const bad = firstBrokenLine(text);
    if (bad !== null)
      return { domain: 'code', language: 'jsonl', reason: `JSON lines whose line ${bad} does not parse` };
  }
  // A text cut after a whole value, or inside one after others (an app's truncated memory), is JSON
  // too; one with no whole value before its cut (`["Hi Sam, quick one...`) may be prose in brackets.
  if (!/[\]}]$/.test(t) && !parseJsonSource(t, { lenient: true })?.children?.length) return undefined;
  const at = locateJsonError(t);
  return at
    ? { domain: 'code', language: 'json', reason: `JSON that does not parse (line ${at.line}, column ${at.column})` }
    : undefined;
}

/** An object or an array that JSON.parse reads whole. */
function isJsonDocument(text: string): boolean {
  const t = text.trim();
  if (!/^[[{]/.test(t) || !/[\]}]$/.test(t)) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

/**
 * A YAML document: it parses to a mapping or a list, nested (a key over indented keys, a list of
 * mappings), and every key is a name without spaces (`last_contact`). A chat ("Dana: hi") is flat,
 * and a Markdown list's "- Packing list:" has a space: neither is YAML here. Read as prose, a
 * profile's values went and its keys stayed ("name:" without "Dana").
 */
function isYamlDocument(text: string): boolean {
  // An indented field or a list of fields; or, at the top, a field holding a list (`facts:` over
  // `  - ...`), which prose has too ("Todo:", "Assistant:", "Attendees:" over a list): that one
  // is read as YAML only with data's keys (lower-case identifiers, no speaker) and short values.
  const structured = /^[ \t]+[\w.$-]+:|^[ \t]*- [\w.$-]+:/m.test(text);
  if (!structured && !/^[a-z][\w.$-]*:[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*- \S/m.test(text)) return false;
  let value: unknown;
  try {
    // Merge keys (`<<: *defaults`) are YAML 1.1 but common in configs: read as merges, not as a key.
    value = parseYaml(text, { uniqueKeys: true, merge: true });
  } catch {
    return false;
  }
  let keys = 0;
  let nested = false;
  // A field with a value of its own (`name: Dana`): a Markdown list of lists ("- Monday:" over
  // "  - gym at 7") has none, nor a heading over nothing ("Done:").
  let fields = 0;
  let longest = 0;
  let dataKeys = true;
  // A dated log ("- 2024-09-09: Ana moved back to Lisbon; ...") parses as a list of one-key maps,
  // but it is a Markdown list of facts: read as YAML it lost whole facts and its dates' order
  // (review: "Ana moved back to Lisbon ... not Porto" dropped, "started school in Porto" kept).
  let dateKeys = true;
  let sentences = 0;
  const ok = (v: unknown, depth: number): boolean => {
    if (Array.isArray(v)) {
      if (depth > 0) nested = true;
      longest = Math.max(longest, v.length);
      return v.every((x) => ok(x, depth + 1));
    }
    if (v && typeof v === 'object') {
      if (depth > 0) nested = true;
      return Object.entries(v).every(([k, x]) => {
        keys++;
        if (x !== null && typeof x !== 'object') {
          fields++;
          const words = String(x).split(/\s+/).length;
          if (words > 8) dataKeys = false;
          if (words >= 5) sentences++;
        }
        if (!DATE_KEY.test(k)) dateKeys = false;
        if (!/^[a-z][\w.$-]*$/.test(k) || SPEAKER_KEYS.has(k)) dataKeys = false;
        return /^[\w.$-]+$/.test(k) && ok(x, depth + 1);
      });
    }
    return true;
  };
  if (typeof value !== 'object' || value === null || !ok(value, 0) || !nested || fields < 1) return false;
  if (dateKeys && sentences * 2 >= fields) return false;
  // Two keys are enough when one holds a list ("user: Dana" over "facts:" and its items).
  return structured ? keys >= 3 : dataKeys && keys >= 2 && longest >= 2;
}

/** A day as a dated log's key ("2024-09-09"; a key with a time in it is no YAML key here at all). */
const DATE_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** Keys that are a dialogue's speakers or a Q&A's labels, not data's fields ("assistant:" over a list; "user:" is a profile's too). */
const SPEAKER_KEYS = new Set(['assistant', 'human', 'ai', 'system', 'bot', 'q', 'a', 'me', 'you']);

const TAG = new RegExp(MARKUP_TAG, 'g');
/** Elements whose content is code or no text: a page that has them is a page's source. */
const SOURCE_ELEMENT = /<(?:script|style|template|svg)\b|<\?php|\{\{|\{%|<%/i;

/**
 * A data format: JSON, JSON Lines, nested YAML or a table. A JSON document is data whatever its
 * strings say: a list of sentences read as prose was pruned word by word and came back with its
 * quotes and brackets unclosed. A table read as prose lost its header row as the least informative line.
 */
function dataFormat(text: string): DomainResult | undefined {
  if (isJsonDocument(text)) return { domain: 'code', language: 'json', reason: 'a JSON document' };
  const records = parseJsonLines(text);
  if (records) return { domain: 'code', language: 'jsonl', reason: `JSON lines (${records.length} records)` };
  const broken = brokenJson(text);
  if (broken) return broken;
  if (isYamlDocument(text)) return { domain: 'code', language: 'yaml', reason: 'a YAML document' };
  const config = configFormat(text);
  if (config)
    return {
      domain: 'code',
      language: config,
      reason: `${config === 'ini' ? 'an' : 'a'} ${config.toUpperCase()} config`,
    };
  const table = tableOf(text);
  if (table)
    return {
      domain: 'code',
      language: table.delimiter === '\t' ? 'tsv' : 'csv',
      reason: `a table (${table.rows.length} rows of ${table.header.cells.length} columns)`,
    };
  return undefined;
}

/**
 * A TOML or INI config (no file name to say so): a `[section]` header and two keys or more, every
 * other line a key, a header, a comment or blank; TOML when smol-toml reads it. Read without a path
 * it was code of no language, "left as is" whatever the question.
 */
function configFormat(text: string): 'toml' | 'ini' | undefined {
  if (!/^[ \t]*\[[^\]\n]+\][ \t]*$/m.test(text)) return undefined;
  for (const format of ['toml', 'ini'] as const) {
    if (format === 'ini' && !mostKeysByEquals(text)) continue;
    const source = parseConfigSource(text, format);
    if (source && keyCount(source.root) >= 2) return format;
  }
  return undefined;
}

/**
 * Whether most of a text's `key = value` or `key: value` lines set their key with "=": an INI file
 * may write "key: value", but so does a chat under a bracketed date ("[2024-03-01]" over "User: I
 * moved to Berlin"), a document's fields under "[Patient]"; read as INI, a chat's turns were config
 * keys, kept whole or not at all and never compressed (re-read of session 33).
 */
function mostKeysByEquals(text: string): boolean {
  let equals = 0;
  let colons = 0;
  let continued = false;
  for (const line of text.split('\n')) {
    // A value's next line (after one ending in `\`) holds no key of its own.
    const within = continued;
    continued = continues(line);
    if (within) continue;
    const key = INI_KEY.exec(line);
    if (!key) continue;
    if (line.charAt(key[0].trimEnd().length - 1) === '=') equals++;
    else colons++;
  }
  return equals > colons;
}

/** The keys of a tree that hold a value (not a section). */
const keyCount = (n: JsonNode): number =>
  (n.children ?? []).reduce((sum, c) => {
    const v = valueNode(c);
    return sum + (v?.type === 'object' || v?.type === 'array' ? keyCount(v) : 1);
  }, 0);

/** A table, unless its lines are a dialogue's ("User: Hi, can you help me plan a trip"). */
function tableOf(text: string): ReturnType<typeof parseTable> {
  const table = parseTable(text);
  return table && !isChat(text.split(/\r?\n/)) ? table : null;
}

/**
 * Why a text is prose inside markup (`<p>`, `<li>`, `<b>`, an app's `<memory>`), if it is: two tags
 * or more, and what is left without them reads as prose. Its words are compressed, its tags kept
 * (the pruner locks them). A page's source (scripts, styles, template syntax) stays code.
 */
function proseInMarkup(text: string): string | undefined {
  const tags = text.match(TAG)?.length ?? 0;
  if (tags < 2 || SOURCE_ELEMENT.test(text)) return undefined;
  const bare = text
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(TAG, ' ')
    .split(/\r?\n/)
    .filter((l) => l.trim());
  // A dialogue or a document with fenced code in its frame is read as such, tags or not (data
  // holding markup never gets here: see classifyDomain).
  if (!bare.length || isChat(bare) || /^\s*(?:```|~~~)/m.test(text)) return undefined;
  const t = tally(bare);
  const words = bare.join(' ').match(/[A-Za-z\u00C0-\u024F][a-z\u00C0-\u024F'’-]+/g)?.length ?? 0;
  if (words < 8 || t.prose === 0 || t.code > 0.25 * (t.code + t.prose)) return undefined;
  // Prose runs between its tags: XML records (<name>Dana Silva</name><city>Lisbon</city>) are data.
  const runs = text
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split(TAG)
    .map((r) => r.match(/\S+/g)?.length ?? 0)
    .filter((n) => n > 0);
  const inSentences = runs.filter((n) => n >= 4).reduce((a, b) => a + b, 0);
  if (inSentences * 2 < runs.reduce((a, b) => a + b, 0)) return undefined;
  return `prose inside markup (${tags} tags)`;
}

export function classifyDomain(text: string, options: { path?: string } = {}): DomainResult {
  const pathLanguage = options.path ? languageFromPath(options.path) : undefined;
  // Data is read once: it decides after a code extension, and no data is prose inside markup (JSON
  // holding HTML, a table or YAML with markup in its cells).
  const data = dataFormat(text);
  // An HTML or XML file is a document when its text is prose (an article, a help page), not code.
  const markup = data ? undefined : proseInMarkup(text);
  if (markup && (!pathLanguage || pathLanguage === 'html' || pathLanguage === 'xml'))
    return { domain: 'nl', language: null, reason: markup };
  if (pathLanguage && !(options.path && isProsePath(options.path))) {
    return { domain: 'code', language: pathLanguage, reason: `file extension (${pathLanguage})` };
  }
  if (data) return data;
  // A unified diff is neither prose nor the language of the code it changes: its lines carry marks
  // no grammar reads (review s35 h3: read as mixed JavaScript prose, its lines were telegraphed).
  if (isUnifiedDiff(text)) return { domain: 'code', language: 'diff', reason: 'a unified diff' };
  const lines = text.split(/\r?\n/);
  const fenced = splitFences(lines);

  if (fenced.fences > 0) {
    const outside = tally(fenced.proseLines);
    const codeChars = fenced.codeLines.join('\n').trim().length;
    // Words of running text outside the fences, markup and inline code removed.
    const words = fenced.proseLines
      .filter((l) => !isCodeLine(withoutMarkup(l)) || isProseLine(l))
      .join(' ')
      .replace(/`[^`]*`/g, ' ')
      .match(/[A-Za-z\u00C0-\u024F][a-z\u00C0-\u024F'’-]+/g);
    if ((words?.length ?? 0) >= 6 && codeChars > 0) {
      const language =
        [...fenced.fenceLanguages.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ??
        bestLanguage(fenced.codeLines) ??
        null;
      return { domain: 'mixed', language, reason: `${fenced.fences} code fence(s) in prose` };
    }
    const fenceLanguage =
      [...fenced.fenceLanguages.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ??
      bestLanguage(fenced.codeLines) ??
      null;
    if (outside.prose >= 1 && codeChars > 0) {
      return { domain: 'mixed', language: fenceLanguage, reason: `${fenced.fences} code fence(s) in prose` };
    }
    if (outside.prose === 0 && outside.code === 0 && codeChars > 0) {
      const language = fenceLanguage ?? bestLanguage(fenced.codeLines) ?? null;
      return { domain: 'code', language, reason: 'a fenced code block alone' };
    }
  }

  if (isChat(lines)) return { domain: 'chat', language: null, reason: 'speaker-labelled turns' };

  // A snippet cut from the middle of a Python docstring starts inside a string: read it both ways
  // and keep the reading that finds more code (prose has no reason to contain triple quotes).
  let t = tally(lines);
  const quote = /("""|''')/.exec(text)?.[1];
  if (quote) {
    const inside = tally(lines, quote);
    if (inside.code - inside.prose > t.code - t.prose) t = inside;
  }
  const counted = t.code + t.prose;
  if (counted === 0) {
    return { domain: 'nl', language: null, reason: 'no code signals' };
  }
  const codeShare = t.code / counted;
  if (codeShare >= 0.6) {
    return {
      domain: 'code',
      language: bestLanguage(lines) ?? null,
      reason: `${Math.round(codeShare * 100)}% of lines read as code`,
    };
  }
  if (codeShare <= 0.25) {
    return { domain: 'nl', language: null, reason: `${Math.round((1 - codeShare) * 100)}% of lines read as prose` };
  }
  // In between: unfenced code pasted into prose has runs of both.
  if (t.codeRun >= 3 && t.proseRun >= 2) {
    return {
      domain: 'mixed',
      language: bestLanguage(lines) ?? null,
      reason: `runs of ${t.codeRun} code and ${t.proseRun} prose lines`,
    };
  }
  return codeShare >= 0.5
    ? { domain: 'code', language: bestLanguage(lines) ?? null, reason: 'mostly code lines' }
    : { domain: 'nl', language: null, reason: 'mostly prose lines' };
}
