/**
 * Query-aware selection over a memory an app keeps as JSON: a profile object, a list of memories
 * (`{"memories": [{"date": ..., "text": ...}, ...]}`, `["Dana is vegetarian", ...]`). The JSON is
 * cut into records (an array's items, an object's fields), each ranked as a line of a list of facts
 * by the same relevance as a text memory, and the most relevant kept within the budget. The result
 * is JSON again, minified, with the kept records in their places and order: an app's parser still
 * reads it, and nothing kept is rewritten.
 */

import type { TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { type ConfigFormat, parseConfigSource } from '../../util/config-source.ts';
import { maxOf } from '../../util/extremes.ts';
import {
  type JsonNode,
  jsonTreeSource,
  keyOf,
  stringValues,
  type TreeSource,
  valueNode,
} from '../../util/json-source.ts';
import { parseYamlSource } from '../../util/yaml-source.ts';
import { type AskedFields, askedFields, asksWhich, type RecordWords } from './asked-fields.ts';
import { raiseCorrections } from './corrections.ts';
import { switchOf, valuesNamedBy } from './named-keys.ts';
import { raiseProhibitions } from './prohibitions.ts';
import { liftAbove } from './raise-best.ts';
import { scoreRecords } from './record-scores.ts';
import { DEFAULT_WEIGHTS, type ScoreOptions, type SelectStyle, STANDING_SHARE } from './select.ts';
import { ANSWER_SHARE, bearsOn, isStandingFact, rankStandingNext } from './standing-facts.ts';
import { readsAsOtherLanguage, telegraph } from './telegraph.ts';

export interface JsonRecord {
  /** The value in the document's tree (an array's item, a property's value). */
  node: JsonNode;
  /**
   * What an item of a list needs to be read: the scalar fields beside its list (a session's
   * "date" over its "facts"), kept with it as a session's header is kept with its turns.
   */
  context: JsonNode[];
  /** How it reads for relevance: its key and its values ("allergies: peanuts, shellfish"). */
  line: string;
}

/** A JSON or YAML document cut into records; kept records are written back in its own format. */
export interface JsonMemory extends TreeSource {
  records: JsonRecord[];
}

export interface JsonSelection {
  text: string;
  records: number;
  kept: number;
  embedded: number;
  /** Ranked without dense relevance: the first embedding pass was still running (`denseSignal`). */
  densePending: boolean;
  /** The most relevant record alone was over the budget; it was kept. */
  overBudget: boolean;
  /** The selection could not be written back in the document's format: the document is whole. */
  unwritable?: boolean;
  /**
   * Records left out of a list or an object of which others were kept (a product's variants, a
   * `shipping` object's fields), and those lists and objects by name: the JSON shows part of them
   * as if it were all.
   */
  partly?: { left: number; of: string[] };
  /** Records kept in part: only the fields the question names, with the one saying which record. */
  inPart?: number;
  /** Records holding a value a which-question names that did not fit the budget, even in part. */
  missed?: number;
}

/** Fewer records than this: nothing to choose from, and the rules' minifying does as well. */
const MIN_RECORDS = 3;

const isContainer = (n: JsonNode) => n.type === 'object' || n.type === 'array';

/** What a document says beside a value: a YAML comment's text (TreeSource.comment). */
type Notes = (node: JsonNode) => string | undefined;

/**
 * The leaves of a value as "key: value" words, for ranking only, each with the comment it carries
 * (`path: /ready # checks Postgres and Redis; NOT Kafka`): a comment says what a value means, and
 * a question may name only what the comment says (review 4: "Why is there no CPU limit?" is answered
 * by `# no CPU limit on purpose: throttling caused p99 spikes`, over `memory: 1536Mi`).
 */
function leaves(node: JsonNode, notes?: Notes): string {
  const note = notes?.(node);
  const own =
    node.type === 'array'
      ? (node.children ?? []).map((n) => leaves(n, notes)).join(', ')
      : node.type === 'object'
        ? (node.children ?? [])
            .map((p) => {
              const v = valueNode(p);
              return `${keyWords(keyOf(p))}: ${v ? leaves(v, notes) : ''}`;
            })
            .join('; ')
        : String(node.value);
  return note ? `${own} # ${note}` : own;
}

/**
 * A list of short values ("peanuts", "shellfish") is one fact, its field's; a list of sentences
 * or of objects holds one memory an item.
 */
const isFact = (items: readonly JsonNode[]) =>
  items.every((v) => !isContainer(v) && String(v.value).length <= 40 && !/\s\S+\s/.test(String(v.value)));

/**
 * An object holding a list of memories (not of short values): a group (a session with its facts)
 * to read into. An object with only fields, nested ones too (a memory with its "metadata"), is one
 * memory, kept or left whole.
 */
const holdsList = (item: JsonNode) =>
  item.type === 'object' &&
  !saysSomething(item) &&
  (item.children ?? []).some((p) => {
    const v = valueNode(p);
    return (v?.type === 'array' && !isFact(v.children ?? [])) || (v !== undefined && isRecordMap(v));
  });

/**
 * How many of an object's fields are objects of their own (a profile's `address`, `preferences`,
 * `employer`): with two or more, a value of a list keyed by name is read into, field by field, as
 * before such lists were read (review: "What is Bob's zip code?" came back as Bob's whole profile,
 * twice the budget). A ChatGPT message node holds one (`message`).
 */
const sections = (item: JsonNode): number =>
  item.type === 'object' ? (item.children ?? []).filter((p) => valueNode(p)?.type === 'object').length : 0;

/**
 * An object that is a list keyed by id: three values or more, every one an object, most of the same
 * fields (a ChatGPT export's `mapping` of message nodes, `{"u1": {...}, "u2": {...}}`). Its values
 * are records as an array's items are (review: a conversation of a ChatGPT export was one record,
 * kept whole at four times the budget). A profile's sections (`work`, `health`), each its own
 * fields, are no such list: they are read into.
 */
function isRecordMap(node: JsonNode): boolean {
  const values = (node.children ?? []).map(valueNode);
  if (node.type !== 'object' || values.length < MIN_RECORDS || values.some((v) => v?.type !== 'object')) return false;
  const shapes = new Map<string, number>();
  for (const v of values) {
    const shape = (v?.children ?? []).map(keyOf).sort().join('\u0000');
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
  }
  return Math.max(...shapes.values()) * 2 > values.length;
}

/**
 * An object with a message's text of its own (`text`, `content`, `message`, `body`, `memory`) is a
 * memory, whatever lists it holds: a chat export's message with its `text` beside `blocks`, the same
 * text as rich-text parts (review: a Slack export was read into its blocks, and the kept messages
 * lost their text, user and time). A session's `date` beside its facts is no such text.
 */
const saysSomething = (item: JsonNode) =>
  (item.children ?? []).some((p) => {
    const v = valueNode(p);
    return v?.type === 'string' && MESSAGE_KEY.test(keyOf(p)) && String(v.value).trim().length > 0;
  });

const MESSAGE_KEY = /^(?:text|content|message|body|memory|msg)$/i;

/**
 * An object whose scalar fields are the context of its lists' items, never records alone: a
 * session's `date` over its `facts`. Not one with two sections or more (a Helm chart's values:
 * `image`, `autoscaling`, `resources`), whose scalar fields are settings of their own (review 4:
 * `replicaCount: 4` was no record, kept only beside each of the `cronjobs`).
 */
const isHeader = (node: JsonNode) => holdsList(node) && sections(node) < 2;

/** The scalar fields of the object a list stands in, beside it, when they are its header. */
function besideList(list: JsonNode): JsonNode[] {
  const holder = list.parent?.type === 'property' ? list.parent.parent : undefined;
  if (holder?.type !== 'object' || !isHeader(holder)) return [];
  return (holder.children ?? []).flatMap((p) => {
    const v = valueNode(p);
    return v && v !== list && !isContainer(v) ? [v] : [];
  });
}

/**
 * A key as the words it is made of, for ranking: "bloodType" and "blood_type" say "blood type", which a
 * question asks (review: "What is Marco's blood type?" never found `"bloodType": "0+"`).
 */
const keyWords = (key: string) => key.replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2').replace(/[_-]+/g, ' ');

/**
 * A field that says which record an object is: `id`, `ticket_id`, `orderNumber`, `key`, `name`,
 * `title`. Only an object's own fields (a customer's name inside a ticket names the customer).
 */
const ID_KEY =
  /^(?:id|uuid|guid|key|slug|number|name|title)$|[_-](?:id|uuid|key|number|no)$|\p{Ll}(?:Id|ID|Uuid|Key|Number)$/u;

/** The identifying fields of an item read into, written beside any part of it kept. */
function idFields(item: JsonNode): JsonNode[] {
  if (item.type !== 'object') return [];
  return (item.children ?? []).flatMap((p) => {
    const v = valueNode(p);
    return v && !isContainer(v) && ID_KEY.test(keyOf(p)) ? [v] : [];
  });
}

/** A record's context with the ids of the items it stands in, once each and never the record itself. */
const withIds = (node: JsonNode, context: readonly JsonNode[], ids: readonly JsonNode[]): JsonNode[] => [
  ...new Set([...context, ...ids].filter((n) => n !== node)),
];

/**
 * The identifying fields of the items a record stands in, as words before its own ("name: Skarvet
 * 2-person tent; variants: ... color: signal orange; stock: 0"): a variant is ranked as its product's
 * (review: for "Is the orange Skarvet 2-person tent in stock?" the 4S tent, the only record naming
 * Skarvet, was kept, and the orange variant, out of stock until 10 December, was not).
 */
const named = (node: JsonNode, ids: readonly JsonNode[], line: string): string => {
  const words = ids
    .filter((n) => n !== node && n.parent?.type === 'property')
    .map((n) => `${keyWords(keyOf(n.parent as JsonNode))}: ${String(n.value)}`);
  return words.length ? `${words.join('; ')}; ${line}` : line;
};

/**
 * `ids`: the identifying fields of the items (an array's, a keyed list's) being read into, outermost
 * first: a record kept from inside one comes with them, or it reads as another item's (review: a
 * ticket's `{"customer": {"name": "Harriet Okafor"}}` was kept without its `ticket_id`), and is
 * ranked with them (`named`).
 */
function walk(
  node: JsonNode,
  key: string | null,
  out: JsonRecord[],
  ids: readonly JsonNode[] = [],
  notes?: Notes,
  over = '',
): void {
  const label = key ? `${keyWords(key)}: ` : '';
  const children = node.children ?? [];
  // A section's own comment ("# Payment settings: retries apply only to card payments" over
  // `payments:`) is read with every record under it: it says what they are, and a question may name
  // only its words. It was on no record's line (review: "Are bank transfers retried?" never found it).
  const note = [over, notes?.(node)].filter(Boolean).join(' ');
  const within = (item: JsonNode, id: readonly JsonNode[], line: string) =>
    named(item, id, note ? `${line} # ${note}` : line);
  if (isRecordMap(node)) {
    // Its values are its items, each read with its key: a name ("theta: ip: 10.0.0.8; role: kafka")
    // answers "the IP of server theta" and "the IP of the kafka server" alike.
    const context = besideList(node);
    for (const property of children) {
      const item = valueNode(property);
      if (!item) continue;
      if (holdsList(item) || sections(item) >= 2)
        walk(item, keyOf(property), out, [...ids, ...idFields(item)], notes, note);
      else
        out.push({
          node: item,
          context: withIds(item, context, ids),
          line: within(item, ids, `${label}${keyWords(keyOf(property))}: ${leaves(item, notes)}`),
        });
    }
    return;
  }
  if (node.type === 'array') {
    if (isFact(children))
      out.push({
        node,
        context: withIds(node, [], ids),
        // Its own comment is among its leaves: only the sections' above it.
        line: named(node, ids, `${label}${leaves(node, notes)}${over ? ` # ${over}` : ''}`),
      });
    else {
      const context = besideList(node);
      // An item that holds a list of its own is a group (a session with its facts): read into it.
      for (const item of children)
        if (holdsList(item)) walk(item, key, out, [...ids, ...idFields(item)], notes, note);
        else
          out.push({
            node: item,
            context: withIds(item, context, ids),
            line: within(item, ids, `${label}${leaves(item, notes)}`),
          });
    }
    return;
  }
  // Beside a list, an object's own fields are its items' context (a session's date): kept with
  // them, never alone, where a date without its facts says nothing.
  const header = isHeader(node);
  for (const property of children) {
    const value = valueNode(property);
    if (!value) continue;
    const k = keyOf(property);
    // Read with the key above its own ("readinessProbe httpGet", then "path: /healthz"): a field named
    // only by its own key and its object's ("http get path") was no answer to "What is the readiness
    // probe path?", which the probe's "readiness probe period seconds: 10" took (review, session 35).
    if (value.type === 'object' || (value.type === 'array' && !isFact(value.children ?? [])))
      walk(value, key && k ? `${key.split(' ').at(-1)} ${k}` : k, out, ids, notes, note);
    // A field of a named object reads with that name ("theta ip: 10.0.0.8"): eight servers' "ip"
    // fields are alike without it (review: the IP of server theta was never found).
    // An empty list beside a group's list (a ChatGPT conversation's `moderation_results: []`) says
    // nothing: no record of its own.
    else if (!header || (isContainer(value) && (value.children ?? []).length > 0))
      out.push({
        node: value,
        context: withIds(value, [], ids),
        line: within(value, ids, `${key ? `${keyWords(key)} ` : ''}${keyWords(k)}: ${leaves(value, notes)}`),
      });
  }
}

/**
 * The list or object a record is a part of, where leaving out its other parts changes what the
 * kept ones say: an object's fields (`shipping`: without `free_over`, no free shipping), or the items
 * of a list inside an item read into (a product's `variants`: one of two reads as the only one).
 * Not the document's own list or fields, nor a list of memories: there a record is one of many.
 */
function partOf(record: JsonRecord, root: JsonNode): { whole: JsonNode; name: string } | null {
  const { node } = record;
  const holder = node.parent?.type === 'property' ? node.parent.parent : node.parent;
  if (!holder || holder === root) return null;
  const keyed = (n: JsonNode) => (n.parent?.type === 'property' ? keyOf(n.parent) : null);
  if (holder.type === 'object' && node.parent?.type === 'property')
    return isRecordMap(holder) ? null : { whole: holder, name: keyed(holder) ?? 'object' };
  if (holder.type !== 'array') return null;
  // An item's name among the fields kept with it ("Lavvo down sleeping bag -10").
  const itemName = record.context.find((n) => n.type === 'string' && /^(?:name|title)$/i.test(keyed(n) ?? ''));
  if (!itemName) return null;
  return { whole: holder, name: `${keyed(holder) ?? 'list'} of ${String(itemName.value)}` };
}

/**
 * What each record is counted as in the note: the item of the outermost list it stands in (an
 * array's item, a value of a list keyed by id), or the record itself outside any list (a paged
 * response's `meta` fields, a profile's fields). Review F-23: 12 customers each read into, their
 * `address` and `contact` fields records of their own, were said as "kept 26 of 108 JSON records";
 * they are 12 customers, of which some were kept.
 */
export function entriesOf(records: readonly JsonRecord[], root: JsonNode): JsonNode[] {
  const isList = (n: JsonNode) => (n.type === 'array' && !isFact(n.children ?? [])) || isRecordMap(n);
  return records.map((r) => {
    let entry = r.node;
    for (let n: JsonNode | undefined = r.node; n && n !== root; ) {
      const holder: JsonNode | undefined = n.parent?.type === 'property' ? n.parent.parent : n.parent;
      if (holder && isList(holder)) entry = n;
      n = holder;
    }
    return entry;
  });
}

/** The records of a memory read as a tree, or null when it has too few. */
function memoryOf(source: TreeSource | null): JsonMemory | null {
  if (!source) return null;
  const records: JsonRecord[] = [];
  walk(source.root, null, records, [], source.comment);
  return records.length >= MIN_RECORDS ? { ...source, records } : null;
}

/**
 * The records of a JSON memory, or null when the text is no JSON object or array of enough records.
 * `lenient`: read past a trailing or missing comma, comments and a cut end (json-source.ts), as a
 * query's selection does: the records it keeps are written back as valid JSON.
 */
export function parseJsonMemory(raw: string, options: { lenient?: boolean } = {}): JsonMemory | null {
  // Parsed once for planning and selection, as YAML is below (the memory is never changed by its readers).
  const lenient = options.lenient === true;
  if (lastJson?.raw !== raw || lastJson.lenient !== lenient)
    lastJson = { raw, lenient, memory: memoryOf(jsonTreeSource(raw, { lenient })) };
  return lastJson.memory;
}
let lastJson: { raw: string; lenient: boolean; memory: JsonMemory | null } | undefined;

/**
 * The records of a memory kept as YAML (a profile, a list of memories), read as JSON's are, or null
 * when the text is no YAML mapping or sequence of enough records (or one written with anchors,
 * aliases or merge keys). Call it on what reads as YAML: a dialogue ("Dana: hi") parses as a mapping.
 */
export function parseYamlMemory(raw: string): JsonMemory | null {
  // Planning asks whether the text is one, then the select stage reads it: parsed once (a 20k-token
  // document takes ~40 ms to parse). The memory is never changed by its readers (emit copies).
  if (lastYaml?.raw !== raw) lastYaml = { raw, memory: memoryOf(parseYamlSource(raw)) };
  return lastYaml.memory;
}
let lastYaml: { raw: string; memory: JsonMemory | null } | undefined;

/**
 * The records of a TOML or INI config (config-source.ts: sections, arrays of tables, keys, the
 * comments over them), read as YAML's are, or null when the text is none or has too few. A config
 * had been left whole whatever the question ("no parser for toml: left as is").
 */
export function parseConfigMemory(raw: string, format: ConfigFormat): JsonMemory | null {
  if (lastConfig?.raw !== raw || lastConfig.format !== format)
    lastConfig = { raw, format, memory: memoryOf(parseConfigSource(raw, format)) };
  return lastConfig.memory;
}
let lastConfig: { raw: string; format: ConfigFormat; memory: JsonMemory | null } | undefined;

/** A sentence of a document's opening comment: its text and its lines' numbers. */
interface OpeningSentence {
  text: string;
  lines: number[];
}

/**
 * The opening comment's lines (TreeSource.opening) as sentences: a line ending in `.`, `!` or `?`,
 * or over an empty one, ends its sentence; a sentence wrapped over lines is one ("# Helm values for
 * the orders-api chart,\n# production (eu-west-1).").
 */
function openingSentences(lines: readonly string[]): OpeningSentence[] {
  const out: OpeningSentence[] = [];
  let open: OpeningSentence | null = null;
  lines.forEach((line, k) => {
    if (!line) {
      open = null;
      return;
    }
    if (open) {
      open.text += ` ${line}`;
      open.lines.push(k);
    } else {
      open = { text: line, lines: [k] };
      out.push(open);
    }
    if (/[.!?]["')\]]*$/.test(line)) open = null;
  });
  return out;
}

/** A value that is a version number, with its range marks: "18.3.1", "^6.26.2", ">=3.8,<4". */
const VERSION_VALUE = /^\s*(?:[\^~=<>!]=?|v)?\d+(?:\.\d+)+/;

/** A record's words for asked-fields.ts: the keys down to it and inside it, and its values. */
function wordsOf(node: JsonNode, context: readonly JsonNode[]): RecordWords {
  const keys: string[] = [];
  for (let n: JsonNode | undefined = node; n; n = n.parent) if (n.type === 'property') keys.push(keyWords(keyOf(n)));
  const values: string[] = [];
  const down = (n: JsonNode) => {
    if (n.type === 'property') keys.push(keyWords(keyOf(n)));
    // A bare version ("18.3.1", "^6.26.2", ">=3.8") says "version" as a tag does (bm25.ts terms):
    // a package.json's dependencies hold a version each, and the word tells none of them apart.
    else if (!isContainer(n)) values.push(String(n.value), VERSION_VALUE.test(String(n.value)) ? 'version' : '');
    for (const c of n.type === 'property' ? [valueNode(n)] : (n.children ?? [])) if (c) down(c);
  };
  down(node);
  const ids = [
    ...idFields(node),
    ...context.filter((n) => n.parent?.type === 'property' && ID_KEY.test(keyOf(n.parent))),
  ];
  return { keys: keys.join('; '), values: values.join('; '), ids: ids.map((n) => String(n.value)).join('; ') };
}

/**
 * The fields of an object record the question names (by key, or a value it gives), each with the
 * keys above it, and the field saying which record it is (its id, or its first scalar field: an
 * alert rule's `alert: HighErrorRate`): the record in its shortest form, kept when it is too long
 * whole for the budget (review, session 35: an OpenAPI parameter's `maximum: 100` came only inside
 * its 30-token record, and a 36-token budget kept the 200 response instead). Null when the question
 * names no part of it, or all of it.
 */
function fieldsAskedOf(node: JsonNode, asked: AskedFields, values: boolean): JsonNode[] | null {
  if (node.type !== 'object') return null;
  const out: JsonNode[] = [];
  const down = (n: JsonNode) => {
    for (const c of n.children ?? []) {
      const v = c.type === 'property' ? valueNode(c) : c;
      if (!v) continue;
      const named =
        (c.type === 'property' && asked.namesKey(keyWords(keyOf(c)))) ||
        (values && !isContainer(v) && asked.namesValue(String(v.value)));
      if (named) out.push(v);
      else if (isContainer(v)) down(v);
    }
  };
  down(node);
  if (!out.length || out.some((v) => v === node)) return null;
  const ids = idFields(node);
  const first = (node.children ?? []).map(valueNode).find((v) => v && !isContainer(v));
  const which = ids.length ? ids : first ? [first] : [];
  const nodes = [...new Set([...which, ...out])];
  // All its fields named: the record whole is as short.
  return nodes.length < (node.children ?? []).length || out.some((v) => v.parent?.parent !== node) ? nodes : null;
}

/** How far under the best record one the question names may rank and still go first. */
const NEAR = 6;

/**
 * The records the question's words name the most (asked-fields.ts), of those within NEAR of the
 * best, lifted above it (those it names by a key first), when a key is among what names them: a value named
 * alone (a package's name) is what relevance already reads, and the key it says nothing of.
 */
function raiseNamed(score: Float64Array, asked: AskedFields): void {
  const top = maxOf(score);
  const near = [...asked.weight.keys()].filter(
    (k) => (asked.weight[k] as number) > 0 && (score[k] as number) >= top - NEAR,
  );
  const most = maxOf(near.map((k) => asked.weight[k] as number));
  const named = near.filter((k) => (asked.weight[k] as number) >= most - 1e-9);
  if (!named.some((k) => asked.byKey[k])) return;
  // A record the question names by its name or id ("Which version of Django is locked?": the
  // package named django) goes first, as a row a value names on the CSV path; then a field named
  // by its key, before a record holding a word of the question in another value: "What is the
  // maximum page size?" asks for `maximum`, not for the response described as "A page of orders".
  const rank = (k: number) => (asked.byId[k] ? 2 : asked.byKey[k] ? 1 : 0);
  for (const r of [0, 1, 2])
    liftAbove(
      score,
      named.filter((k) => rank(k) === r),
      maxOf(score),
      NEAR,
    );
}

/** Records tried, each rendered and counted, in the budget's last gap. */
const TOP_UP_TRIES = 6;

/**
 * The records the query needs, most relevant first, within `budget` o200k tokens of the document
 * written back (minified JSON; YAML with its comments and styles).
 * Ranked as the lines of a list of facts (`- allergies: peanuts, shellfish`) by scoreUnits.
 */
export async function selectJson(
  memory: JsonMemory,
  options: ScoreOptions & {
    budget: number;
    count: TokenCounter;
    /**
     * "telegraphic" (query.style): the strings of the records below the most relevant (those filling
     * `weights.verbatimShare` of the budget) lose their closed-class words, as kept turns do, so the
     * budget holds more records; keys, numbers and short values stay as written.
     */
    style?: SelectStyle;
  },
): Promise<JsonSelection> {
  // A record comes with the values it names by their path and its object's switch (named-keys.ts),
  // as with its list's fields.
  const records = memory.records.map((r) => {
    const named = [...valuesNamedBy(memory, [r.node, ...r.context]), ...switchOf(memory, r.node)].filter(
      (n) => !r.context.includes(n),
    );
    return named.length ? { ...r, context: [...new Set([...r.context, ...named])] } : r;
  });
  // The document's opening comment (YAML), a sentence at a time, is ranked as the records are and
  // kept where it ranks: it had been kept in every selection (review 4, F-23: a Helm file's "Last
  // change: ..." took 62 of a 154-token budget whatever the question).
  const opening = openingSentences(memory.opening ?? []);
  const n = records.length;
  const openingCost = (k: number) =>
    options.count((opening[k - n] as OpeningSentence).lines.map((l) => `# ${memory.opening?.[l] ?? ''}\n`).join(''));
  const lines = [...records.map((r) => r.line), ...opening.map((o) => o.text)];
  const { score, embedded, densePending } = await scoreRecords(lines, options);
  // A question about what must not be done: the records saying "don't" first (prohibitions.ts).
  raiseProhibitions(score, lines, options.query);
  // A record correcting what the best records say goes above them, as a line does in a text (review
  // 3: a chat's "From then on my address is Sopot, not Gdansk" was never raised, records being ranked
  // apart from corrections.ts).
  raiseCorrections(score, lines, options.query);
  // A record that holds whatever the question (an allergy, an instruction) ranks after the best records, within a share.
  rankStandingNext(score, {
    standing: records.flatMap((r, k) =>
      stringValues(r.node).some((v) => isStandingFact(String(v.value)) && bearsOn(String(v.value), options.query))
        ? [k]
        : [],
    ),
    cost: (k) => (k < n ? options.count(memory.piece((records[k] as JsonRecord).node)) + 1 : openingCost(k)),
    room: STANDING_SHARE * options.budget,
    budget: options.budget,
    answerRoom: ANSWER_SHARE * options.budget,
  });
  // The records whose keys the question names the most (of those near the best) go first, as a
  // column named does on the CSV path: "When does the scheduled build run?" names `schedule`, which
  // ranked under the build job's steps (review, session 35).
  const asked = askedFields(
    records.map((r) => wordsOf(r.node, r.context)),
    options.query,
  );
  raiseNamed(score, asked);
  const order = lines.map((_, k) => k).sort((a, b) => (score[b] as number) - (score[a] as number) || a - b);
  const isRecord = new Set(records.map((r) => r.node));
  // Telegraphic strings, for the records past the verbatim share (in relevance order).
  const short = new Map<JsonNode, string>();
  if (options.style === 'telegraphic' && !readsAsOtherLanguage(records.map((r) => r.line).join('\n'))) {
    const share = (options.weights?.verbatimShare ?? DEFAULT_WEIGHTS.verbatimShare) * options.budget;
    let spent = 0;
    for (const k of order) {
      // An opening comment's sentence is written as it is, but counts toward the share.
      if (k >= n) {
        if (spent <= share) spent += openingCost(k);
        continue;
      }
      const node = (records[k] as JsonRecord).node;
      // Counted only until the verbatim run ends: past it every record is shortened. The best record
      // is never shortened, even when it alone is over the share (review: a profile's one sentence
      // came back "allergic peanuts shellfish").
      if (spent <= share) spent += options.count(memory.piece(node));
      if (spent <= share || k === order[0]) continue;
      // Its sentences (three words or more); a name or a date stays as written.
      for (const s of stringValues(node).filter(
        (v) => /\S+\s+\S+\s+\S/.test(String(v.value)) && !isDateText(String(v.value)),
      )) {
        const t = telegraph(String(s.value));
        if (t.length < String(s.value).length) short.set(s, t);
      }
    }
  }
  const keep = new Set<number>();
  /** The records kept in their shortest form (fieldsAskedOf), with the nodes written for each. */
  const inPart = new Map<number, JsonNode[]>();
  // A value names a field only for a question asking which records hold it, of two or more: "Which
  // alerts page someone?" (`severity: page`). Otherwise a name in a URL made a HAR entry's URL its
  // shortest form for "Why did checkout fail?".
  const which = asksWhich(options.query) && asked.byValue.filter(Boolean).length >= 2;
  const fieldsAsked = records.map((r, k) => fieldsAskedOf(r.node, asked, which && (asked.byValue[k] as boolean)));
  const partNodes = (k: number) => [...(fieldsAsked[k] ?? []), ...((records[k] as JsonRecord).context ?? [])];
  /** The nodes written: the kept records (or their asked fields) and the fields their lists need. */
  const shownNodes = () =>
    new Set([...keep].flatMap((k) => inPart.get(k) ?? [records[k]?.node, ...(records[k]?.context ?? [])])) as Set<
      JsonNode | undefined
    >;
  /**
   * The document with the kept records, numbers and strings as written. Drafts are written only to
   * be counted; the final one is checked to read back as meant (YAML), and a document that would
   * not (never seen) is handed back whole rather than as an empty one.
   */
  let unwritable = false;
  const render = (check = false) => {
    const shown = shownNodes();
    // A record kept in part is written with only its fields shown, the keys above them too.
    const holding = new Set<JsonNode>();
    for (const [k, nodes] of inPart)
      if (keep.has(k))
        for (const node of nodes) for (let p = node.parent; p && !holding.has(p); p = p.parent) holding.add(p);
    const out = memory.emit(memory.root, {
      keep: (node) => (shown.has(node) ? true : holding.has(node) ? undefined : isRecord.has(node) ? false : undefined),
      replace: short,
      check,
      opening: (line) => opening.some((o, j) => o.lines.includes(line) && keep.has(n + j)),
    });
    if (out === null && shown.size) unwritable = true;
    return out ?? (memory.root.type === 'array' ? '[]' : '{}');
  };
  /** A value written on its own, with its key in an object. */
  const piece = (node: JsonNode) => options.count(memory.piece(node, short));
  const costs = new Map<JsonNode, number>();
  const costOf = (node: JsonNode) => {
    let c = costs.get(node);
    if (c === undefined) {
      c = piece(node);
      costs.set(node, c);
    }
    return c;
  };
  let used = options.count(render());
  const shown = new Set<JsonNode>();
  const parts = records.map((r) => partOf(r, memory.root));
  const freshOf = (k: number) => {
    const r = records[k];
    return r ? [r.node, ...r.context].filter((node) => !shown.has(node)) : [];
  };
  const freshPart = (k: number) => partNodes(k).filter((node) => !shown.has(node));
  /** A record in its shortest form, when it has one that fits (or nothing is kept yet). */
  const takePart = (k: number): boolean => {
    if (!fieldsAsked[k]) return false;
    const fresh = freshPart(k);
    const c = addedCost(fresh, []);
    if (used + c > options.budget && keep.size) return false;
    take(k, fresh, c);
    inPart.set(k, partNodes(k));
    return true;
  };
  /** What a candidate adds: its nodes not written yet, or an opening sentence's lines. */
  const addedCost = (fresh: readonly JsonNode[], all: readonly number[]) =>
    fresh.reduce((sum, node) => sum + costOf(node), 0) + all.reduce((sum, k) => sum + (k >= n ? openingCost(k) : 0), 0);
  const take = (k: number, fresh: readonly JsonNode[], c: number) => {
    keep.add(k);
    for (const n of fresh) shown.add(n);
    used += c;
  };
  // A question asking which records hold a value ("Which alerts page someone?") is answered by each
  // of them: their shortest forms first, then the rest by relevance, a record kept in part made whole
  // when it fits (review, session 35: two `severity: page` rules of ~45 tokens, one kept at 0.2).
  let named: number[] = [];
  if (which) {
    named = records
      .flatMap((_, k) => (asked.byValue[k] && fieldsAsked[k] ? [k] : []))
      .sort(
        (a, b) =>
          (asked.weight[b] as number) - (asked.weight[a] as number) || (score[b] as number) - (score[a] as number),
      );
    if (named.length >= 2) for (const k of named) takePart(k);
  }
  // An object's field ranked in the lower half comes with the object's other fields or not at all:
  // it fills a gap, and a `shipping` kept without its `free_over` says there is no free shipping
  // (review: its cheap fields filled the last gaps of a budget one by one, `free_over` left out). One
  // in the better half may answer the question alone ("Where does Dana live?": her city).
  const middle = score[order[Math.floor(order.length / 2)] as number] as number;
  const fieldsWith = (k: number) => {
    const whole = parts[k]?.whole;
    return whole?.type === 'object' && (score[k] as number) <= middle
      ? records.flatMap((_, j) => (!keep.has(j) && parts[j]?.whole === whole ? [j] : []))
      : [k];
  };
  for (const k of order) {
    if (inPart.has(k)) {
      // Made whole when the rest of it fits.
      const fresh = freshOf(k);
      const c = addedCost(fresh, []);
      if (used + c <= options.budget) {
        inPart.delete(k);
        take(k, fresh, c);
      }
      continue;
    }
    if (keep.has(k)) continue;
    const all = fieldsWith(k);
    const fresh = [...new Set(all.flatMap(freshOf))];
    const c = addedCost(fresh, all);
    if (used + c <= options.budget) {
      for (const j of all) keep.add(j);
      for (const n of fresh) shown.add(n);
      used += c;
    } else if (!takePart(k) && !keep.size) take(k, freshOf(k), addedCost(freshOf(k), [k]));
  }
  let text = render();
  // The pieces counted apart are an estimate: take back the least relevant until the whole fits.
  // A record with a shortest form is cut to it before it goes.
  const shortenable = () => [...keep].some((k) => fieldsAsked[k] && !inPart.has(k));
  while ((keep.size > 1 || shortenable()) && options.count(text) > options.budget) {
    const worst = [...keep].sort((a, b) => (score[a] as number) - (score[b] as number) || b - a)[0] as number;
    if (fieldsAsked[worst] && !inPart.has(worst)) inPart.set(worst, partNodes(worst));
    else if (keep.size > 1) {
      keep.delete(worst);
      inPart.delete(worst);
    } else break;
    text = render();
  }
  let left = options.budget - options.count(text);
  let tries = 0;
  // The other parts of a list or an object partly kept are tried first: the rest of it, when it fits.
  const partlyKept = () => new Set([...keep].flatMap((k) => parts[k]?.whole ?? []));
  const wholes = partlyKept();
  const sibling = (k: number) => (wholes.has(parts[k]?.whole as JsonNode) ? 0 : 1);
  for (const k of [...order].sort((a, b) => sibling(a) - sibling(b))) {
    if (left <= 0 || tries >= TOP_UP_TRIES) break;
    const part = inPart.get(k);
    if (keep.has(k) && !part) continue;
    tries++;
    const all = part ? [k] : fieldsWith(k);
    for (const j of all) keep.add(j);
    inPart.delete(k);
    const next = render();
    const tokens = options.count(next);
    if (tokens <= options.budget) {
      text = next;
      left = options.budget - tokens;
      continue;
    }
    if (part) {
      inPart.set(k, part);
      continue;
    }
    for (const j of all) keep.delete(j);
    // Whole it is over; in its shortest form it may fit.
    if (!fieldsAsked[k]) continue;
    keep.add(k);
    inPart.set(k, partNodes(k));
    const shorter = render();
    const cost = options.count(shorter);
    if (cost <= options.budget) {
      text = shorter;
      left = options.budget - cost;
    } else {
      keep.delete(k);
      inPart.delete(k);
    }
  }
  // JSON is written from its tree; the others from their source, checked to read back.
  if (memory.format !== 'json') text = render(true);
  if (unwritable)
    return {
      text: memory.text,
      records: new Set(entriesOf(records, memory.root)).size,
      kept: new Set(entriesOf(records, memory.root)).size,
      embedded,
      densePending,
      overBudget: false,
      unwritable,
    };
  // Said, not left silent (review: "Is the Lavvo sleeping bag vegan?" at 0.1 kept one of its two
  // variants, and at 0.2 a `shipping` object without its `free_over`).
  const kept = partlyKept();
  const leftOut = records.flatMap((_, k) => {
    const part = parts[k];
    return part && !keep.has(k) && kept.has(part.whole) ? [part] : [];
  });
  const entries = entriesOf(records, memory.root);
  return {
    text,
    records: new Set(entries).size,
    kept: new Set([...keep].flatMap((k) => (k < n ? [entries[k]] : []))).size,
    embedded,
    densePending,
    overBudget: options.count(text) > options.budget,
    ...(leftOut.length ? { partly: { left: leftOut.length, of: [...new Set(leftOut.map((p) => p.name))] } } : {}),
    ...(inPart.size ? { inPart: inPart.size } : {}),
    ...(named.length >= 2 && named.some((k) => !keep.has(k))
      ? { missed: named.filter((k) => !keep.has(k)).length }
      : {}),
  };
}

/**
 * A value that is a date or a time and nothing else ("1:56 pm on 8 May, 2023", "Tuesday, 3 June at
 * 10:00"): written as it came, since an app parses it with one format (review: 27 of 29 records had
 * theirs rewritten "1:56 pm 8 May 2023", the best two not, one array in two formats).
 */
function isDateText(text: string): boolean {
  const rest = text
    .toLowerCase()
    .replace(/\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?/g, ' ')
    .replace(/\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\b/g, ' ')
    .replace(/\b(?:\d+(?:st|nd|rd|th)?|[ap]\.?m\.?|on|at|of|the|utc|gmt)\b/g, ' ')
    .replace(/[\s\d,.:/+-]+/g, '');
  return rest === '' && /\d/.test(text);
}
