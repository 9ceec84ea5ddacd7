import { DomainSchema, type SourceFormat } from '../contracts/source.ts';
import { classifyDomain } from '../generation/domain.ts';
import { humanEvalRecord, isHumanEvalRecord } from './humaneval.ts';
import { type FieldMapping, type ImportIssue, type ImportRecord, READER_LIMITS, type ReaderContext } from './types.ts';

const TEXT_FIELDS = ['text', 'content', 'body', 'document', 'page_content', 'markdown', 'code', 'input'];
const ID_FIELDS = ['id', '_id', 'uuid', 'task_id', 'key'];
const TITLE_FIELDS = ['title', 'name', 'subject', 'filename', 'path'];

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(key) ? cur[Number(key)] : (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function firstPresent(obj: Record<string, unknown>, fields: readonly string[]): string | undefined {
  return fields.find((f) => obj[f] !== undefined && obj[f] !== null);
}

/** Message content may be a string or a list of parts (`{type: 'text', text}`), as the APIs allow. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content
      .map((part) =>
        typeof part === 'string'
          ? part
          : part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
            ? (part as { text: string }).text
            : undefined,
      )
      .filter((t): t is string => t !== undefined);
    return texts.length ? texts.join('\n') : undefined;
  }
  return undefined;
}

/** A chat transcript as the text a model would read: one "role: content" line per message. */
export function messagesToText(
  messages: unknown,
  where: { file: string; line?: number; field: string },
): string | ImportIssue {
  if (!Array.isArray(messages)) return { ...where, message: 'expected an array of messages' };
  const lines: string[] = [];
  for (const [i, m] of messages.entries()) {
    if (!m || typeof m !== 'object')
      return { ...where, field: `${where.field}.${i}`, message: 'a message must be an object' };
    const msg = m as Record<string, unknown>;
    const who = msg.role ?? msg.speaker ?? msg.author ?? msg.name;
    const text = contentText(msg.content ?? msg.text);
    if (typeof who !== 'string' || !who) {
      return { ...where, field: `${where.field}.${i}.role`, message: 'a message needs a role (or speaker)' };
    }
    if (text === undefined) {
      return { ...where, field: `${where.field}.${i}.content`, message: 'a message needs text content' };
    }
    lines.push(`${who}: ${text}`);
  }
  if (!lines.length) return { ...where, message: 'the conversation has no messages' };
  return lines.join('\n');
}

function isIssue(v: unknown): v is ImportIssue {
  return typeof v === 'object' && v !== null && 'message' in v && 'file' in v;
}

const RESERVED = new Set([...TEXT_FIELDS, 'messages', 'original', 'compressed', 'tags']);

/**
 * Maps one JSON record (a JSONL line, a CSV row, an element of a JSON array) to a source, and to a
 * pair when it carries `original` and `compressed`. Field names are guessed from common shapes
 * unless the user names them with `--map`.
 */
export function mapRecord(
  value: unknown,
  ctx: ReaderContext,
  line: number | undefined,
  format: SourceFormat,
): ImportRecord | ImportIssue {
  const where = { file: ctx.file, ...(line === undefined ? {} : { line }) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ...where, message: 'expected a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  const m: FieldMapping = ctx.mapping;
  if (!m.text && !m.original && !m.messages && isHumanEvalRecord(obj)) {
    return humanEvalRecord(obj, ctx, line);
  }

  let text: string | undefined;
  let textField: string | undefined;
  let domainHint: 'chat' | undefined;
  let pair: ImportRecord['pair'];

  const originalField = m.original ?? (obj.original !== undefined ? 'original' : undefined);
  const messagesField = m.messages ?? (obj.messages !== undefined && !m.text ? 'messages' : undefined);
  if (originalField) {
    const original = getPath(obj, originalField);
    const compressedField = m.compressed ?? 'compressed';
    const compressed = getPath(obj, compressedField);
    if (typeof original !== 'string' || !original.trim()) {
      return { ...where, field: originalField, message: 'expected non-empty text' };
    }
    if (compressed !== undefined && typeof compressed !== 'string') {
      return { ...where, field: compressedField, message: 'expected text' };
    }
    text = original;
    textField = originalField;
    if (typeof compressed === 'string') {
      pair = {
        compressed,
        strategy: typeof obj.strategy === 'string' && obj.strategy ? obj.strategy : 'imported',
        model: typeof obj.model === 'string' ? obj.model : '',
        params: {},
      };
    }
  } else if (messagesField) {
    const t = messagesToText(getPath(obj, messagesField), { ...where, field: messagesField });
    if (isIssue(t)) return t;
    text = t;
    textField = messagesField;
    domainHint = 'chat';
  } else {
    textField = m.text ?? firstPresent(obj, TEXT_FIELDS);
    if (!textField) {
      return {
        ...where,
        message: `no text field: expected one of ${[...TEXT_FIELDS, 'messages', 'original'].join(', ')} (or name it with --map text=FIELD)`,
      };
    }
    const v = getPath(obj, textField);
    if (typeof v !== 'string')
      return { ...where, field: textField, message: `expected text, got ${v === null ? 'null' : typeof v}` };
    text = v;
  }
  if (!text.trim()) return { ...where, field: textField, message: 'the text is empty' };

  const idField = m.id ?? firstPresent(obj, ID_FIELDS);
  const titleField = m.title ?? firstPresent(obj, TITLE_FIELDS);
  const rawId = idField ? getPath(obj, idField) : undefined;
  const rawTitle = titleField ? getPath(obj, titleField) : undefined;
  const rawLanguage = getPath(obj, m.language ?? 'language');
  const rawDomain = getPath(obj, m.domain ?? 'domain');
  const pathHint =
    typeof obj.path === 'string' ? obj.path : typeof obj.filename === 'string' ? obj.filename : undefined;

  const parsedDomain = DomainSchema.safeParse(rawDomain);
  const classified = classifyDomain(text, pathHint ? { path: pathHint } : {});
  const domain = parsedDomain.success ? parsedDomain.data : (domainHint ?? classified.domain);
  const language = typeof rawLanguage === 'string' && rawLanguage ? rawLanguage.toLowerCase() : classified.language;

  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === textField || RESERVED.has(k) || k === idField || k === titleField) continue;
    // JSON.parse accepts any depth, but storing (JSON.stringify) a very deep value overflows the stack.
    const maxDepth = ctx.maxDepth ?? READER_LIMITS.maxDepth;
    if (deeperThan(v, maxDepth - 1))
      return { ...where, field: k, message: `nested deeper than ${maxDepth} levels: cannot be stored` };
    metadata[k] = v;
  }
  const recordTags = Array.isArray(obj.tags) ? obj.tags.filter((t): t is string => typeof t === 'string') : [];

  return {
    ...(line === undefined ? {} : { line }),
    source: {
      text,
      domain,
      language: domain === 'code' || domain === 'mixed' ? language : null,
      format: domainHint === 'chat' ? 'chat' : format,
      title: typeof rawTitle === 'string' ? rawTitle : null,
      originPath: ctx.file,
      originRef:
        typeof rawId === 'string' || typeof rawId === 'number'
          ? String(rawId)
          : line === undefined
            ? null
            : `line ${line}`,
      metadata,
      tags: [...new Set([...ctx.tags, ...recordTags])],
    },
    ...(pair ? { pair } : {}),
  };
}

/**
 * True when `value` nests more than `max` levels of arrays/objects; stops as soon as it knows.
 * Iterative, so the check itself cannot overflow the stack it protects.
 */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, depth] = item;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

export function toReadItem(result: ImportRecord | ImportIssue) {
  return isIssue(result) ? ({ kind: 'issue', issue: result } as const) : ({ kind: 'record', record: result } as const);
}
