import { parseConfigSource } from '../util/config-source.ts';
import { arrayToLines, linesToArray, parseJsonLines } from '../util/json-lines.ts';
import { type JsonNode, jsonTreeSource, keyOf, MAX_DEPTH, stringValues, valueNode } from '../util/json-source.ts';
import { parseYamlSource } from '../util/yaml-source.ts';
import type { Fallback } from './checks.ts';
import { type CompressPlan, JSON_STRINGS } from './compress-plan.ts';
import { accept, openTiming, type PipelineState, type StageContext } from './compress-stages.ts';
import type { CompressResult } from './compress-types.ts';
import { isStopWord } from './query/bm25.ts';
import { SETS_NOTHING_ASIDE } from './query/corrections.ts';

/**
 * A JSON document without a query: the rules have minified it, as written; its long string
 * values (an app's memories, a tool result's descriptions) are prose, and each is compressed on its
 * own through its domain's pipeline, then put back in its place. Keys, numbers and short strings
 * (names, ids, dates, URLs) are left as they are, so the result is the same JSON, for the app's parser.
 * A YAML document is read into the same tree and written back as YAML, comments and styles kept.
 */

/**
 * Whether a string is prose worth compressing: `minWords` words or more, half of them lower-case
 * words. A session's name ("Session 3 (1:56 pm on 8 May, 2023)"), a title or a list of names is
 * not: thinned, "Session 3" had lost its "Session", and with it what it names.
 */
export function isProse(text: string, minWords: number): boolean {
  const words = text.match(/\S+/g) ?? [];
  const lower = words.filter((w) => /^["'(]?\p{Ll}[\p{L}'’-]*[.,;:!?)"']*$/u.test(w)).length;
  return words.length >= minWords && lower * 2 >= words.length;
}

/** An array of memories: each item a string, or an object holding one sentence (its text); most of them prose. */
interface FactList {
  items: JsonNode[];
  /** Each item's long string. */
  facts: JsonNode[];
}

/**
 * The arrays whose items are each one fact (three at least): compressed as one list of facts, as
 * the pruner reads an app's memory (whole facts that say least go first, few thinned to a stub;
 * LoCoMo fact lists at keep 0.5 kept 85 % of the answers held out against 79 % thinned one by one).
 */
function factLists(root: JsonNode, isLong: (n: JsonNode) => boolean, skip: ReadonlySet<JsonNode>): FactList[] {
  /**
   * An item's fact: itself when a string; an object's one sentence (four words or more) among its
   * own fields, whatever nested fields it has beside (mem0's `metadata`: review, such a list was
   * thinned memory by memory, each losing its key noun).
   */
  const factOf = (item: JsonNode): JsonNode | null => {
    if (item.type === 'string') return item;
    if (item.type !== 'object') return null;
    const fields = (item.children ?? []).map(valueNode);
    const sentences = fields.filter(
      (v): v is JsonNode => v?.type === 'string' && (String(v.value).match(/\S+/g) ?? []).length >= 4,
    );
    return sentences.length === 1 ? (sentences[0] as JsonNode) : null;
  };
  return arraysOf(
    root,
    (_, items) => {
      if (items.length < 3) return null;
      const facts = items.map(factOf);
      // A list of memories: one fact an item, most of them prose (a short one goes or stays with them).
      return facts.every((f) => f !== null) && facts.filter((f) => isLong(f as JsonNode)).length * 2 >= facts.length
        ? { items, facts: facts as JsonNode[] }
        : null;
    },
    skip,
  );
}

/**
 * What `read` makes of the arrays of a document (a list of facts, a conversation), outermost first:
 * an array it reads is not read into; every other array and object is, but those in `skip`.
 */
function arraysOf<T>(
  root: JsonNode,
  read: (array: JsonNode, items: JsonNode[]) => T | null,
  skip: ReadonlySet<JsonNode> = new Set(),
): T[] {
  const out: T[] = [];
  const visit = (node: JsonNode) => {
    if (skip.has(node)) return;
    const items = node.children ?? [];
    const found = node.type === 'array' ? read(node, items) : null;
    if (found !== null) {
      out.push(found);
      return;
    }
    for (const child of items) {
      const v = valueNode(child);
      if (v && (v.type === 'object' || v.type === 'array')) visit(v);
    }
  };
  visit(root);
  return out;
}

/**
 * An item's date, when it is an object with a field whose value opens with an ISO date (mem0's
 * `created_at` / `updated_at`, a `date`, a `timestamp`): the last change where there are several
 * (`updated*`), else the first.
 */
const RECORD_TIME =
  /^(?:(?:created|updated|modified|changed|recorded|logged|saved)(?:_?at|_?on|_?time|_?date)?|timestamp|ts|date|time|datetime|when)$|_at$|At$/i;

export function dateOf(item: JsonNode): string | null {
  if (item.type !== 'object') return null;
  let first: string | null = null;
  for (const child of item.children ?? []) {
    const v = valueNode(child);
    const date =
      v?.type === 'string'
        ? /^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(String(v.value))?.[1]
        : undefined;
    if (!date) continue;
    // The record's own time, not a date it is about (a birthday, a due date, an expiry): a task
    // list re-sorted by due date would read one task as the update of another (re-read of session 30).
    const key = keyOf(child) ?? '';
    if (!RECORD_TIME.test(key)) continue;
    if (/updated|modified|changed/i.test(key)) return date;
    first ??= date;
  }
  return first;
}

/**
 * A list of facts every one of which is dated, in time order, the dates before the facts: the
 * pruner reads such a list as a log, where a later fact saying an earlier one's words is its update
 * and the earlier one is what goes (review 4: a mem0 export at keep 0.5 dropped "Moved with Femi to a
 * house in Milwaukie" and kept "Lived in Portland until January 2025"; the same facts as a dated
 * text list kept the move). Undated lists as before: the facts in their order, `order` the identity.
 */
function factLines(
  items: readonly JsonNode[],
  facts: readonly string[],
): { lines: string[]; order: number[]; dated: boolean } {
  const dates = items.map(dateOf);
  const order = facts.map((_, k) => k);
  if (dates.some((d) => d === null)) return { lines: facts.map((f) => `- ${f}`), order, dated: false };
  // Oldest first, items of one date in their order (mem0 lists the newest first).
  order.sort((a, b) => (dates[a] as string).localeCompare(dates[b] as string) || a - b);
  return { lines: order.map((k) => `- ${dates[k]}: ${facts[k]}`), order, dated: true };
}

/**
 * Which fact each line of a compressed list came from: a line's words are the words of one fact,
 * some left out, in order (an extractive stage), the lines in the facts' order. Where a line could
 * be more than one fact's ("Dana moved to Porto in 2023" from two facts saying it), the placing
 * that keeps the largest share of each fact's words wins (dynamic programming over lines and
 * facts). Null when there is no line, or a line is no fact's (a stage that rewrote): the list is
 * then compressed fact by fact.
 */
export function alignLines(lines: readonly string[], facts: readonly string[]): number[] | null {
  if (!lines.length) return null;
  const tokens = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const factWords = facts.map(tokens);
  const lineWords = lines.map(tokens);
  const wordShare = (j: number, i: number): number => {
    const part = lineWords[j] as string[];
    const whole = factWords[i] as string[];
    let k = 0;
    for (const w of whole) if (k < part.length && w === part[k]) k++;
    return part.length && k === part.length ? part.length / whole.length : -1;
  };
  const m = lines.length;
  const n = facts.length;
  // best[j][i]: the best total fit of lines j.. placed on facts i.. (-Infinity: impossible).
  const best = Array.from({ length: m + 1 }, () => new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY));
  for (let i = 0; i <= n; i++) (best[m] as Float64Array)[i] = 0;
  for (let j = m - 1; j >= 0; j--)
    for (let i = n - 1; i >= 0; i--) {
      const skip = (best[j] as Float64Array)[i + 1] as number;
      const f = wordShare(j, i);
      const take = f >= 0 ? f + ((best[j + 1] as Float64Array)[i + 1] as number) : Number.NEGATIVE_INFINITY;
      (best[j] as Float64Array)[i] = Math.max(skip, take);
    }
  if ((best[0] as Float64Array)[0] === Number.NEGATIVE_INFINITY) return null;
  const out: number[] = [];
  for (let j = 0, i = 0; j < m; i++) {
    const f = wordShare(j, i);
    if (f >= 0 && f + ((best[j + 1] as Float64Array)[i + 1] as number) === (best[j] as Float64Array)[i]) {
      out.push(i);
      j++;
    }
  }
  return out;
}

/** Roles whose message is the conversation's standing instructions, kept as written. */
const STANDING_ROLES = new Set(['system', 'developer']);
/**
 * Roles whose message never goes whole: a tool's result answers a call an assistant message made,
 * and an API refuses a call left without its answer (review of session 29).
 */
const ANSWER_ROLES = new Set(['tool', 'function']);
/** Roles of a chat API's messages (OpenAI's, Anthropic's, Ollama's). */
const MESSAGE_ROLES = new Set([...STANDING_ROLES, 'user', 'assistant', 'tool', 'function']);

/** A chat API's messages array: each item an object with a role, most with a string content. */
export interface Conversation {
  /** The array. */
  node: JsonNode;
  items: JsonNode[];
  roles: string[];
  /** Each message's content when it is a string, else null (a tool call, parts of an image). */
  contents: (JsonNode | null)[];
}

/** The value of an object's field, when it has it. */
function field(object: JsonNode, key: string): JsonNode | undefined {
  const property = (object.children ?? []).find((p) => p.type === 'property' && keyOf(p) === key);
  return property ? valueNode(property) : undefined;
}

/**
 * The arrays of chat messages (`[{"role": "user", "content": "..."}]`, two speaking turns at least):
 * a conversation, not a list of facts (review 3: a system message, "Never book anything without
 * asking him first", went whole as "a fact that said least", and a later "my address is Sopot, not
 * Gdansk" went while the stale Gdansk stayed).
 */
export function conversations(root: JsonNode): Conversation[] {
  return arraysOf(root, (node, items) => {
    if (items.length < 2) return null;
    const roles = items.map((item) => {
      const role = item.type === 'object' ? field(item, 'role') : undefined;
      return role?.type === 'string' && MESSAGE_ROLES.has(String(role.value)) ? String(role.value) : null;
    });
    if (!roles.every((r) => r !== null)) return null;
    const contents = items.map((item) => {
      const content = field(item, 'content');
      return content?.type === 'string' ? content : null;
    });
    const speaking = contents.filter((c, k) => c && !STANDING_ROLES.has(roles[k] as string)).length;
    return speaking >= 2 ? { node, items, roles: roles as string[], contents } : null;
  });
}

/** A turn's speaker label in the dialogue the pruner reads: the role, capitalised ("User"). */
const speaker = (role: string) => role.charAt(0).toUpperCase() + role.slice(1);

/**
 * The words a message sets aside as no longer so: "my address is Sopot, not Gdansk", "pescatarian
 * now, not vegetarian", "Lisbon instead of Porto" (a contrast after a comma, "instead of", "rather
 * than"; a bare "do not book" is an instruction, not a correction).
 */
export function replacedWords(text: string): string[] {
  const out: string[] = [];
  const re =
    /(?:,\s*(?:and\s+)?not|\binstead of|\brather than|\bno longer)\s+(?:(?:a|an|the|in|at|on|to|my)\s+)?(\p{L}[\p{L}\p{N}'’-]*)/giu;
  for (const m of text.matchAll(re)) {
    const word = (m[1] as string).toLowerCase();
    // "no longer have time", ", not a problem", ", not sure": no fact set aside (review of session 29).
    if (word.length >= 3 && !isStopWord(word) && !SETS_NOTHING_ASIDE.has(word)) out.push(word);
  }
  return out;
}

/** Whether a message corrects something an earlier one says: a word it sets aside is in it. */
export function correctsEarlier(later: string, earlier: string): boolean {
  const words = new Set(earlier.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []);
  return replacedWords(later).some((w) => words.has(w));
}

/** What compressing one conversation did: messages dropped (their numbers from 1), corrections put back. */
interface ConversationOutcome {
  dropped: number[];
  restored: number[];
  standing: number;
}

/**
 * One conversation as the dialogue the pruner reads ("User: ..." a line a message), placed back
 * message by message: a message goes whole or keeps its words in order, its role and fields as
 * written. System and developer messages are kept as written (standing instructions); a message
 * that corrects an earlier one kept ("..., not Gdansk") comes back whole when the pruner dropped it.
 * Null when the dialogue was not shortened or its lines cannot be placed (then each content is
 * compressed alone).
 */
export async function compressConversation(
  conversation: Conversation,
  compressString: (text: string) => Promise<CompressResult>,
  replace: Map<JsonNode, string>,
  dropped: Set<JsonNode>,
): Promise<{ outcome: ConversationOutcome; result: CompressResult } | null> {
  const { items, roles, contents } = conversation;
  // The dialogue the pruner reads: user and assistant messages of one paragraph. A message that
  // makes tool calls or answers one stays (its string compressed alone), and so does one of several
  // lines: its lines would come back joined, a code block's with them (review of session 29).
  const turns = contents.flatMap((c, k) => {
    const role = roles[k] as string;
    if (!c || STANDING_ROLES.has(role) || ANSWER_ROLES.has(role) || field(items[k] as JsonNode, 'tool_calls'))
      return [];
    const value = String(c.value);
    return value.trim() && !/\n/.test(value.trim()) ? [k] : [];
  });
  const said = turns.map((k) =>
    String((contents[k] as JsonNode).value)
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const lines = turns.map((k, i) => `${speaker(roles[k] as string)}: ${said[i]}`);
  const result = await compressString(lines.join('\n'));
  if (result.tokensAfter >= result.tokensBefore) return null;
  const out = result.text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // A line's words are its message's words in order, its label with them or not (the pruner writes
  // a speaker's label once over turns in a row).
  const placed = placeLines(out, lines);
  if (!placed) return null;
  const kept = turns.map((_, i) => {
    const text = placed[i];
    if (text === undefined) return null;
    const label = `${speaker(roles[turns[i] as number] as string)}:`;
    return text.startsWith(label) ? text.slice(label.length).trim() : text;
  });
  const restored: number[] = [];
  // A correction dropped while what it corrects stays: put back whole, or the stale fact reads as current.
  turns.forEach((k, i) => {
    if (kept[i] !== null) return;
    const original = String((contents[k] as JsonNode).value);
    if (
      turns.some(
        (e, j) => j < i && kept[j] !== null && correctsEarlier(original, String((contents[e] as JsonNode).value)),
      )
    ) {
      kept[i] = said[i] as string;
      restored.push(k + 1);
    }
  });
  const outcome: ConversationOutcome = {
    dropped: [],
    restored,
    standing: roles.filter((r) => STANDING_ROLES.has(r)).length,
  };
  turns.forEach((k, i) => {
    const text = kept[i];
    if (text === null || text === undefined) {
      dropped.add(items[k] as JsonNode);
      outcome.dropped.push(k + 1);
    } else if (text !== said[i]) replace.set(contents[k] as JsonNode, text);
  });
  return { outcome, result };
}

/**
 * Each dialogue line's text in the pruner's output, undefined for a line that went. A line out is
 * one turn's words in order, or, where the pruner put a speaker's turn on the line of their turn
 * before (the other's turn between dropped, speaker-labels.ts), those turns one after another, a
 * sentence end between them: such a line is cut at its sentence ends and each piece read on from
 * where the last one stopped, in that line or a later one. Null when a piece fits nowhere.
 */
export function placeLines(out: readonly string[], lines: readonly string[]): (string | undefined)[] | null {
  const whole = alignLines(out, lines);
  const texts: (string | undefined)[] = lines.map(() => undefined);
  if (whole) {
    whole.forEach((i, j) => {
      texts[i] = out[j];
    });
    return texts;
  }
  const words = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const lineWords = lines.map(words);
  let line = 0;
  let from = 0;
  for (const o of out)
    for (const piece of o.split(/(?<=[.!?])\s+(?=\S)/u)) {
      const want = words(piece);
      let found = false;
      for (let i = line; i < lines.length && !found; i++) {
        const have = lineWords[i] as string[];
        let k = i === line ? from : 0;
        let m = 0;
        for (; k < have.length && m < want.length; k++) if (have[k] === want[m]) m++;
        if (m < want.length) continue;
        texts[i] = texts[i] === undefined ? piece : `${texts[i]} ${piece}`;
        line = i;
        from = k;
        found = true;
      }
      if (!found) return null;
    }
  return texts;
}

/** A conversation's note: its messages, which went (number and role), the corrections put back. */
function conversationNote(c: Conversation, o: ConversationOutcome): string {
  const went = o.dropped.map((k) => `${k} (${c.roles[k - 1]})`);
  return `an array of ${c.items.length} chat messages read as a conversation: ${
    o.standing ? `${plural(o.standing, 'system message')} kept as written, ` : ''
  }${went.length ? `message${went.length === 1 ? '' : 's'} ${went.join(', ')} dropped whole` : 'no message dropped whole'}${
    o.restored.length
      ? `, message${o.restored.length === 1 ? '' : 's'} ${o.restored.join(', ')} kept whole (${o.restored.length === 1 ? 'it corrects' : 'they correct'} an earlier one kept)`
      : ''
  }`;
}

/** A ratio as a note prints it: two decimals at most (review 3: "ratio 0.32679738562091504"). */
export const roundRatio = (ratio: number): number => Math.round(ratio * 100) / 100;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export async function runJsonStringsStage(
  state: PipelineState,
  plan: CompressPlan,
  ctx: StageContext,
  /** One text through its own pipeline (the same options but the query, its domain its own). */
  compressString: (text: string) => Promise<CompressResult>,
): Promise<void> {
  const { timing, done } = openTiming(state, JSON_STRINGS, ctx.count);
  // JSON Lines: the array of its records, written back a record a line.
  const records = plan.language === 'jsonl' ? parseJsonLines(state.text) : null;
  const yaml = plan.language === 'yaml';
  const config = plan.language === 'toml' || plan.language === 'ini' ? plan.language : null;
  const source = config
    ? parseConfigSource(state.text, config)
    : yaml
      ? parseYamlSource(state.text)
      : jsonTreeSource(records ? linesToArray(records) : state.text);
  if (!source) {
    done(state.text);
    state.result.notes.push(
      config
        ? `${JSON_STRINGS}: skipped (${config === 'toml' ? 'the TOML does not parse' : 'the INI has lines that are no section, key or comment'}: kept as written)`
        : yaml
          ? `${JSON_STRINGS}: skipped (a YAML document with anchors, aliases, merge keys, tags other than !!str, several documents, errors or nesting over ${MAX_DEPTH} deep is kept as written)`
          : `${JSON_STRINGS}: skipped (what came before is no JSON document read here: not strict JSON, or nested over ${MAX_DEPTH} deep)`,
    );
    return;
  }
  const { root } = source;
  const strings = stringValues(root);
  const isLong = (n: JsonNode) => isProse(String(n.value), ctx.config.json.minWords);
  const long = strings.filter(isLong);
  const replace = new Map<JsonNode, string>();
  const dropped = new Set<JsonNode>();
  const stages = new Set<string>();
  const refused: Fallback[] = [];
  const ran = (r: CompressResult) => {
    if (r.fallback) refused.push(r.fallback);
    stages.add(r.strategy);
    if (state.result.model === null && r.model !== null) state.result.model = r.model;
  };
  const placed = new Set<JsonNode>();
  const talks: string[] = [];
  const chats = conversations(root);
  for (const c of chats) {
    ctx.signal?.throwIfAborted();
    // Standing instructions are kept as written, whatever becomes of the rest: system messages, and
    // a request's system prompt beside its messages (Anthropic's `system`, a string or text parts).
    c.contents.forEach((content, k) => {
      if (content && STANDING_ROLES.has(c.roles[k] as string)) placed.add(content);
    });
    const request = c.node.parent?.type === 'property' ? c.node.parent.parent : undefined;
    const system = request?.type === 'object' ? field(request, 'system') : undefined;
    if (system) for (const n of stringValues(system)) placed.add(n);
    const done = await compressConversation(c, compressString, replace, dropped);
    if (!done) continue;
    ran(done.result);
    talks.push(conversationNote(c, done.outcome));
    for (const content of c.contents) if (content) placed.add(content);
  }
  const alone = long.filter((n) => !placed.has(n));
  const droppedAsTalk = dropped.size;
  let listed = 0;
  for (const list of factLists(root, isLong, new Set(chats.map((c) => c.node)))) {
    ctx.signal?.throwIfAborted();
    const facts = list.facts.map((f) => String(f.value).replace(/\s+/g, ' ').trim());
    const { lines: sent, order, dated } = factLines(list.items, facts);
    const r = await compressString(sent.join('\n'));
    const lines = r.text
      .split('\n')
      .map((l) => l.replace(/^\s*-\s*/, '').trim())
      // The date went with the fact; the item keeps its own date field.
      .map((l) => (dated ? l.replace(/^\d{4}-\d{2}-\d{2}:\s*/, '') : l))
      .filter(Boolean);
    const ordered = order.map((k) => facts[k] as string);
    const found = r.tokensAfter < r.tokensBefore ? alignLines(lines, ordered) : null;
    if (!found) continue;
    // Back to the items' own order.
    const at = found.map((i) => order[i] as number);
    ran(r);
    listed++;
    list.facts.forEach((f, k) => {
      placed.add(f);
      const line = at.indexOf(k);
      if (line < 0) dropped.add(list.items[k] as JsonNode);
      else if (lines[line] !== facts[k]) replace.set(f, lines[line] as string);
    });
  }
  for (const node of long) {
    if (placed.has(node)) continue;
    ctx.signal?.throwIfAborted();
    const r = await compressString(String(node.value));
    if (!r.text.trim() || r.tokensAfter >= r.tokensBefore) {
      if (r.fallback) refused.push(r.fallback);
      continue;
    }
    ran(r);
    replace.set(node, r.text);
  }
  const holders = new Set<JsonNode>();
  for (const item of dropped) for (let p = item.parent; p; p = p.parent) if (p.type !== 'property') holders.add(p);
  // Written back from the source: numbers, keys and the strings left alone as they were.
  const json = source.emit(root, {
    // Only the dropped items go, and only their lists are written item by item: every other
    // value, empty lists and objects too, is written whole.
    keep: (n) => (dropped.has(n) ? false : holders.has(n) ? undefined : true),
    keepEmpty: true,
    replace,
  });
  const text = done((json !== null && records ? arrayToLines(json) : json) ?? state.text);
  const how = `${[...stages].join(', ') || 'no stage shortened any'}, ratio ${roundRatio(plan.ratio)}`;
  const parts = [
    ...(alone.length || !talks.length
      ? [
          `${alone.length} prose string values (${ctx.config.json.minWords} words or more) compressed (${how})${
            listed
              ? `, ${listed} array${listed === 1 ? '' : 's'} of one fact an item read as a list (${plural(dropped.size - droppedAsTalk, 'item')} dropped whole)`
              : ''
          }`,
        ]
      : []),
    ...talks.map((t) => t.replace(' read as a conversation', ` read as a conversation, compressed (${how})`)),
  ];
  const notes = [
    `${JSON_STRINGS}: ${parts.join('; ')}; ${replace.size} shortened; ${strings.length - long.length} other strings, keys and numbers as written`,
  ];
  // Against the original, as the headline counts: the rules may have taken a pretty-printed
  // document's indentation first, and a share of what reached this stage said "kept 100 %" of a
  // result 12 % smaller.
  const far = farAboveRatio(plan, plan.tokensBefore, timing.tokensOut ?? state.tokens, long.length, strings.length);
  if (far) notes.push(`${JSON_STRINGS}: ${far}`);
  if (json === null && (replace.size || dropped.size))
    notes.push(
      `${JSON_STRINGS}: the ${source.format.toUpperCase()} could not be written back with the changes; kept as it was`,
    );
  if (refused.length) notes.push(`${JSON_STRINGS}: ${refusedNote(refused)}`);
  accept(state, JSON_STRINGS, text, timing.tokensOut, notes);
}

/**
 * A result far above the ratio asked (more than 5 points), said plainly: only prose strings may be
 * compressed, and a document of ids, keys and short values keeps nearly all (review 3: a tool log
 * at 94 % for 0.5 said only how many strings it compressed). Under maxTokens the over-cap note says it.
 */
function farAboveRatio(
  plan: CompressPlan,
  tokensIn: number,
  tokensOut: number,
  prose: number,
  strings: number,
): string | undefined {
  if (plan.maxTokens !== undefined || plan.ratio >= 1 || !tokensIn) return undefined;
  const share = tokensOut / tokensIn;
  if (share <= plan.ratio + 0.05) return undefined;
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  return `kept ${pct(share)} of the tokens (asked ${pct(plan.ratio)}): only ${prose} of ${plural(strings, 'string value')} ${
    prose === 1 ? 'is' : 'are'
  } prose that may be compressed; keys, numbers and the other strings are kept as written`;
}

/**
 * Which stage's output was not used on how many strings, and why, the first detail of each reason
 * ("pruner's output not used on 2 texts (dropped-protected: 1 protected span(s) missing: "340 ms")"):
 * the note said only "see the fallback rules", which nothing printed (review).
 */
function refusedNote(refused: readonly Fallback[]): string {
  const groups = new Map<string, { stage: string; reason: string; detail: string; n: number }>();
  for (const f of refused) {
    const key = `${f.stage}\u0000${f.reason}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { stage: f.stage, reason: f.reason, detail: f.detail, n: 1 });
  }
  const parts = [...groups.values()].map(
    (g) =>
      `${g.stage}'s output not used on ${g.n} text${g.n === 1 ? '' : 's'} (${g.reason}${g.detail ? `: ${g.detail}` : ''})`,
  );
  return `${parts.join('; ')}; ${refused.length === 1 ? 'that text keeps' : 'those texts keep'} what the stage before it left`;
}
