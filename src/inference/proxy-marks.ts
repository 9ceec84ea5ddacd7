import { type JsonNode, keyOf, parseJsonSource, valueNode, withoutBom } from '../util/json-source.ts';
import { QUERY_MAX_CHARS } from './compress-types.ts';
import { hasWordToSelectBy } from './query/query-cues.ts';

/**
 * What the proxy may compress in a provider request: `<memory>...</memory>` and
 * `<context>...</context>` blocks inside message text, and the whole text of the messages a header
 * names (`x-compress-messages: 0,2` or `system`). Everything else is left exactly as it came.
 */

export type ProxyProvider = 'anthropic' | 'openai' | 'gemini';

/** A text field in the parsed body, with a way to write it back. */
interface Slot {
  get(): string;
  set(text: string): void;
  /** The message index ("system" for a system prompt). */
  message: number | 'system';
  /** Where the text stands in the body (keys and indices), to write it back into the original bytes. */
  path: readonly (string | number)[];
}

export interface Segment {
  slot: Slot;
  /** Offsets of the compressible text inside the slot's text. */
  start: number;
  end: number;
  text: string;
  /** A `<memory>`/`<context>` block (query-aware when the request has a user question), or a whole named message. */
  kind: 'block' | 'message';
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Text slots of one content value: a string, or an array of parts with a `text` member. */
function contentSlots(
  holder: Json,
  key: string,
  message: number | 'system',
  out: Slot[],
  at: readonly (string | number)[],
  partType?: string,
): void {
  const v = holder[key];
  if (typeof v === 'string') {
    out.push({ get: () => holder[key] as string, set: (t) => (holder[key] = t), message, path: [...at, key] });
    return;
  }
  if (!Array.isArray(v)) return;
  v.forEach((part, j) => {
    if (!isObj(part) || typeof part.text !== 'string') return;
    if (partType && part.type !== undefined && part.type !== partType) return;
    out.push({ get: () => part.text as string, set: (t) => (part.text = t), message, path: [...at, key, j, 'text'] });
  });
}

export function textSlots(provider: ProxyProvider, body: Json): Slot[] {
  const out: Slot[] = [];
  if (provider === 'anthropic') {
    contentSlots(body, 'system', 'system', out, [], 'text');
    const messages = Array.isArray(body.messages) ? body.messages : [];
    messages.forEach((m, i) => {
      if (!isObj(m)) return;
      contentSlots(m, 'content', i, out, ['messages', i], 'text');
      // A tool's result holds its own content (a memory tool's answer): a string or text parts.
      if (Array.isArray(m.content))
        m.content.forEach((part, j) => {
          if (isObj(part) && part.type === 'tool_result')
            contentSlots(part, 'content', i, out, ['messages', i, 'content', j], 'text');
        });
    });
  } else if (provider === 'openai') {
    const messages = Array.isArray(body.messages) ? body.messages : [];
    messages.forEach((m, i) => {
      if (isObj(m)) contentSlots(m, 'content', i, out, ['messages', i], 'text');
    });
  } else {
    // The REST API takes the system prompt in either case ("system_instruction" in Google's own examples).
    const key = body.systemInstruction !== undefined ? 'systemInstruction' : 'system_instruction';
    const sys = body[key];
    if (typeof sys === 'string') contentSlots(body, key, 'system', out, []);
    else if (isObj(sys)) contentSlots(sys, 'parts', 'system', out, [key]);
    const contents = Array.isArray(body.contents) ? body.contents : [];
    contents.forEach((c, i) => {
      if (!isObj(c)) return;
      contentSlots(c, 'parts', i, out, ['contents', i]);
      // A function's response holds its own strings (a memory tool's answer), as Anthropic's
      // tool_result does (review: a <memory> block there was left alone).
      if (Array.isArray(c.parts))
        c.parts.forEach((part, j) => {
          const response = isObj(part) && isObj(part.functionResponse) ? part.functionResponse.response : undefined;
          if (!isObj(response)) return;
          for (const field of Object.keys(response))
            contentSlots(response, field, i, out, ['contents', i, 'parts', j, 'functionResponse', 'response']);
        });
    });
  }
  return out;
}

/**
 * A marked block's tag, in lower case or capitals (`<memory>`, `<CONTEXT>`), opening or closing.
 * Not `<Context>`: a React context provider in pasted code (review).
 */
const MARK_TAG = /<(\/?)(memory|context|MEMORY|CONTEXT)(\s[^>]*)?>/g;

/** A marked block: where its text starts and ends, and where the whole block with its tags does. */
interface BlockSpan {
  outerStart: number;
  innerStart: number;
  innerEnd: number;
  outerEnd: number;
}

/**
 * The outermost marked blocks of a text, each closed as it opened. A block inside another is part
 * of the outer one's text (review: `<memory>a <memory>b</memory> c</memory>` was read as one block
 * "a <memory>b", and " c</memory>" went into the question). A tag never closed frames nothing.
 */
function markedBlocks(text: string): BlockSpan[] {
  // Each closing tag pairs with the last open tag of its name; then the pairs inside (or crossing
  // into) an earlier one are its text.
  const pairs: BlockSpan[] = [];
  const open = new Map<string, { start: number; innerStart: number }[]>();
  for (const m of text.matchAll(MARK_TAG)) {
    const name = m[2] as string;
    const stack = open.get(name) ?? [];
    open.set(name, stack);
    if (m[1]) {
      const o = stack.pop();
      if (o)
        pairs.push({
          outerStart: o.start,
          innerStart: o.innerStart,
          innerEnd: m.index,
          outerEnd: m.index + m[0].length,
        });
    } else if (!m[3]?.trimEnd().endsWith('/')) stack.push({ start: m.index, innerStart: m.index + m[0].length });
  }
  const out: BlockSpan[] = [];
  for (const p of pairs.sort((x, y) => x.outerStart - y.outerStart)) {
    const last = out.at(-1);
    if (!last || p.outerStart >= last.outerEnd) out.push(p);
    // A pair crossing out of the block before it (`<memory>a <context>b</memory> c</context>`) takes
    // that block on to its own end: its tail is no part of the question (review).
    else if (p.outerEnd > last.outerEnd) {
      last.innerEnd = p.innerEnd;
      last.outerEnd = p.outerEnd;
    }
  }
  return out;
}

/** The text with its marked blocks, tags and all, each replaced by a space. */
function withoutBlocks(text: string): string {
  let out = '';
  let at = 0;
  for (const b of markedBlocks(text)) {
    out += `${text.slice(at, b.outerStart)} `;
    at = b.outerEnd;
  }
  return out + text.slice(at);
}

/** "0,2,system" -> the set; undefined when the header is absent; throws on a malformed header. */
export function parseMessageHeader(value: string | null | undefined): Set<number | 'system'> | undefined {
  if (value === null || value === undefined || !value.trim()) return undefined;
  const out = new Set<number | 'system'>();
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === 'system') out.add('system');
    else if (/^\d{1,6}$/.test(item)) out.add(Number(item));
    else throw new Error(`x-compress-messages: "${item}" is neither a message index nor "system"`);
  }
  return out;
}

/** The parts to compress: whole named messages, and marked blocks elsewhere. */
export function findSegments(slots: readonly Slot[], named: Set<number | 'system'> | undefined): Segment[] {
  const out: Segment[] = [];
  for (const slot of slots) {
    const text = slot.get();
    if (named?.has(slot.message)) {
      const lead = text.length - text.trimStart().length;
      const trail = text.trimEnd().length;
      if (trail > lead) out.push({ slot, start: lead, end: trail, text: text.slice(lead, trail), kind: 'message' });
      continue;
    }
    for (const b of markedBlocks(text)) {
      const inner = text.slice(b.innerStart, b.innerEnd);
      const innerStart = b.innerStart;
      const lead = inner.length - inner.trimStart().length;
      const body = inner.trim();
      if (!body) continue;
      out.push({ slot, start: innerStart + lead, end: innerStart + lead + body.length, text: body, kind: 'block' });
    }
  }
  return out;
}

/** Writes the compressed texts back (per slot, last segment first so offsets stay valid). */
export function applySegments(segments: readonly Segment[], replacements: readonly string[]): void {
  const bySlot = new Map<Slot, { seg: Segment; text: string }[]>();
  segments.forEach((seg, i) => {
    const list = bySlot.get(seg.slot) ?? [];
    list.push({ seg, text: replacements[i] ?? seg.text });
    bySlot.set(seg.slot, list);
  });
  for (const [slot, list] of bySlot) {
    let text = slot.get();
    for (const { seg, text: r } of list.sort((a, b) => b.seg.start - a.seg.start))
      text = text.slice(0, seg.start) + r + text.slice(seg.end);
    slot.set(text);
  }
}

/** The value at `path` in a parsed tree: an object's last property of that key (as JSON.parse reads it), an array's item. */
function nodeAt(root: JsonNode, path: readonly (string | number)[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const step of path) {
    if (!node) return undefined;
    const children: JsonNode[] = node.children ?? [];
    node =
      typeof step === 'number'
        ? node.type === 'array'
          ? valueNode(children[step] as JsonNode)
          : undefined
        : node.type === 'object'
          ? valueNode(children.filter((p) => keyOf(p) === step).at(-1) as JsonNode)
          : undefined;
  }
  return node;
}

/**
 * The original body with the segments' slots written back and every other byte as it came: only
 * the string literals whose text changed are replaced, at their offsets, re-escaped. A round trip
 * through JSON.parse and JSON.stringify lost numbers past 2^53 (an OpenAI `seed`: review), and
 * writing the tree back minified put a pretty-printed body on one line and rewrote escapes in
 * strings no one touched (review); a provider (or a cache keyed on the bytes) sees the caller's
 * request but for the memory. Null when the body cannot be read so (then the caller serialises
 * the parsed body).
 */
export function writeBack(original: string, segments: readonly Segment[]): string | null {
  // A byte-order mark stays in front: the tree's offsets are into the text after it.
  const text = withoutBom(original);
  const bom = original.slice(0, original.length - text.length);
  const root = parseJsonSource(text);
  if (!root) return null;
  const edits = new Map<JsonNode, string>();
  for (const seg of segments) {
    const node = nodeAt(root, seg.slot.path);
    if (node?.type !== 'string') return null;
    // A text the compressor gave back as it was keeps its literal as written (its escapes too).
    const now = seg.slot.get();
    if (now !== node.value) edits.set(node, now);
  }
  let out = '';
  let at = 0;
  for (const [node, now] of [...edits].sort((a, b) => a[0].offset - b[0].offset)) {
    out += text.slice(at, node.offset) + JSON.stringify(now);
    at = node.offset + node.length;
  }
  return bom + out + text.slice(at);
}

/** The text of a content value (a string, or the `text` of its parts). */
function contentText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return '';
  return v
    .filter((p): p is Json => isObj(p) && typeof p.text === 'string')
    .map((p) => p.text as string)
    .join('\n');
}

/** A user message's text outside its marked blocks, on one line. */
const userText = (provider: ProxyProvider, m: Json) =>
  withoutBlocks(contentText(provider === 'gemini' ? m.parts : m.content))
    .replace(/\s+/g, ' ')
    .trim();

/** A short message that points back at what was said ("What year was that?", "How did she feel about it?"). */
function refersBack(text: string): boolean {
  return (
    text.split(/\s+/).length <= FOLLOW_UP_WORDS &&
    /\b(?:that|it|this|those|these|there|then|she|he|they|them|her|him|his|its|their)\b/i.test(text)
  );
}

/**
 * A message the user sent: `role: "user"`; in Gemini's REST API also a content with no role, as a
 * single-turn request may send it (review: such a question was not read, and the memory went whole).
 */
const isUserTurn = (provider: ProxyProvider, m: Json): boolean =>
  m.role === 'user' || (provider === 'gemini' && m.role === undefined);

/** Words of a follow-up short enough to lean on the question before it. */
const FOLLOW_UP_WORDS = 10;

/** The text of the last user message before `index` that has a word to select by. */
function earlierQuestion(provider: ProxyProvider, list: readonly unknown[], index: number): string | null {
  for (let i = index - 1; i >= 0; i--) {
    const m = list[i];
    if (!isObj(m) || !isUserTurn(provider, m)) continue;
    const text = userText(provider, m);
    if (text && hasWordToSelectBy(text))
      return text.length <= QUERY_MAX_CHARS / 2 ? text : text.slice(-QUERY_MAX_CHARS / 2);
  }
  return null;
}

/** The question a memory block is compressed for, and which user message it came from. */
export interface UserQuery {
  text: string;
  /**
   * "last": the last user message; "earlier": the last had no word to select by ("Ok?", a tool
   * result), an earlier one did; "both": the last is a short follow-up that refers back ("What year
   * was that?"), so the question before it is part of the query.
   */
  from: 'last' | 'earlier' | 'both';
  /** The message's length in characters, when it was longer than a query may be (its end was kept). */
  cutFrom?: number;
  /** The index of the message the question was read from (the last of two for "both"). */
  index: number;
}

/**
 * The question a memory block should be compressed for: the last user message, without the
 * marked blocks it may carry (apps often put the memory in the same message as the question).
 * Anthropic and OpenAI: the last `role: "user"` message; Gemini: the last `role: "user"` content.
 * A follow-up with no word to select by ("Ok?", "Why?", "Tell me more") asks about what came
 * before: the user message before it that has one is taken instead. A message longer than a query
 * may be keeps its end, where a question pasted after notes stands. Null when no user message has
 * a word to select by (the blocks are then compressed without a query).
 */
export function lastUserQuery(provider: ProxyProvider, body: Json): UserQuery | null {
  const list = provider === 'gemini' ? body.contents : body.messages;
  if (!Array.isArray(list)) return null;
  let from: UserQuery['from'] = 'last';
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (!isObj(m) || !isUserTurn(provider, m)) continue;
    const text = userText(provider, m);
    // A message with no text (a tool result, an image) or no word to select by: the question is earlier.
    if (!text || !hasWordToSelectBy(text)) {
      from = 'earlier';
      continue;
    }
    if (from === 'last' && refersBack(text)) {
      const before = earlierQuestion(provider, list, i);
      if (before) {
        const both = `${before} ${text}`;
        if (both.length <= QUERY_MAX_CHARS) return { text: both, from: 'both', index: i };
      }
    }
    if (text.length <= QUERY_MAX_CHARS) return { text, from, index: i };
    // The end, from its first whole word.
    const tail = text.slice(-QUERY_MAX_CHARS);
    const whole = text[text.length - QUERY_MAX_CHARS - 1] === ' ';
    return { text: whole ? tail : tail.slice(tail.indexOf(' ') + 1), from, cutFrom: text.length, index: i };
  }
  return null;
}
