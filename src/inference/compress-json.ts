import { emitJson, type JsonNode, parseJsonSource, valueNode } from '../util/json-source.ts';
import { type CompressPlan, JSON_STRINGS } from './compress-plan.ts';
import { accept, openTiming, type PipelineState, type StageContext } from './compress-stages.ts';
import type { CompressResult } from './compress-types.ts';

/**
 * A JSON document without a query: the rules have minified it, as written; its long string
 * values (an app's memories, a tool result's descriptions) are prose, and each is compressed on its
 * own through its domain's pipeline, then put back in its place. Keys, numbers and short strings
 * (names, ids, dates, URLs) are left as they are, so the result is the same JSON, for the app's parser.
 */

/** The string values of a document (not its keys), in order. */
function stringValues(node: JsonNode, out: JsonNode[]): void {
  for (const child of node.children ?? []) {
    const value = valueNode(child);
    if (!value) continue;
    if (value.type === 'string') out.push(value);
    else stringValues(value, out);
  }
}

const words = (text: string) => text.match(/\S+/g)?.length ?? 0;

/** An array of memories: each item a long string, or an object holding one long string (its text). */
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
function factLists(root: JsonNode, isLong: (n: JsonNode) => boolean): FactList[] {
  const out: FactList[] = [];
  const visit = (node: JsonNode) => {
    const items = node.children ?? [];
    if (node.type === 'array' && items.length >= 3) {
      const facts = items.map((item) => {
        if (item.type === 'string') return isLong(item) ? item : null;
        if (item.type !== 'object') return null;
        const long = (item.children ?? []).flatMap((p) => {
          const v = valueNode(p);
          return v && v.type === 'string' && isLong(v) ? [v] : [];
        });
        const nested = (item.children ?? []).some((p) => {
          const v = valueNode(p);
          return v?.type === 'object' || v?.type === 'array';
        });
        return long.length === 1 && !nested ? (long[0] as JsonNode) : null;
      });
      if (facts.every((f) => f !== null)) {
        out.push({ items, facts: facts as JsonNode[] });
        return;
      }
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
 * Which fact each line of a compressed list came from: a line's words are the words of one fact,
 * some left out, in order (an extractive stage), the facts in their order. Null when a line is
 * not (a stage that rewrote): the list is then compressed fact by fact.
 */
function alignLines(lines: readonly string[], facts: readonly string[]): number[] | null {
  const tokens = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const within = (part: string[], whole: string[]) => {
    let k = 0;
    for (const w of whole) if (k < part.length && w === part[k]) k++;
    return k === part.length;
  };
  const out: number[] = [];
  let from = 0;
  for (const line of lines) {
    const part = tokens(line);
    let at = -1;
    for (let i = from; i < facts.length; i++)
      if (within(part, tokens(facts[i] as string))) {
        at = i;
        break;
      }
    if (at < 0 || !part.length) return null;
    out.push(at);
    from = at + 1;
  }
  return out;
}

export async function runJsonStringsStage(
  state: PipelineState,
  plan: CompressPlan,
  ctx: StageContext,
  /** One text through its own pipeline (the same options but the query, its domain its own). */
  compressString: (text: string) => Promise<CompressResult>,
): Promise<void> {
  const { timing, done } = openTiming(state, JSON_STRINGS, ctx.count);
  const root = parseJsonSource(state.text);
  if (!root) {
    done(state.text);
    state.result.notes.push(`${JSON_STRINGS}: skipped (what came before is no JSON)`);
    return;
  }
  const strings: JsonNode[] = [];
  stringValues(root, strings);
  const isLong = (n: JsonNode) => words(String(n.value)) >= ctx.config.json.minWords;
  const long = strings.filter(isLong);
  const replace = new Map<JsonNode, string>();
  const dropped = new Set<JsonNode>();
  const stages = new Set<string>();
  let fallbacks = 0;
  const ran = (r: CompressResult) => {
    if (r.fallback) fallbacks++;
    stages.add(r.strategy);
    if (state.result.model === null && r.model !== null) state.result.model = r.model;
  };
  const done1 = new Set<JsonNode>();
  let listed = 0;
  for (const list of factLists(root, isLong)) {
    ctx.signal?.throwIfAborted();
    const facts = list.facts.map((f) => String(f.value).replace(/\s+/g, ' ').trim());
    const r = await compressString(facts.map((f) => `- ${f}`).join('\n'));
    const lines = r.text
      .split('\n')
      .map((l) => l.replace(/^\s*-\s*/, '').trim())
      .filter(Boolean);
    const at = r.tokensAfter < r.tokensBefore ? alignLines(lines, facts) : null;
    if (!at) continue;
    ran(r);
    listed++;
    list.facts.forEach((f, k) => {
      done1.add(f);
      const line = at.indexOf(k);
      if (line < 0) dropped.add(list.items[k] as JsonNode);
      else if (lines[line] !== facts[k]) replace.set(f, lines[line] as string);
    });
  }
  for (const node of long) {
    if (done1.has(node)) continue;
    ctx.signal?.throwIfAborted();
    const r = await compressString(String(node.value));
    if (!r.text.trim() || r.tokensAfter >= r.tokensBefore) {
      if (r.fallback) fallbacks++;
      continue;
    }
    ran(r);
    replace.set(node, r.text);
  }
  // Written back from the source: numbers, keys and the strings left alone as they were.
  const text = done(
    emitJson(state.text, root, {
      keep: (n) => (dropped.has(n) ? false : n.type === 'object' || n.type === 'array' ? undefined : true),
      replace,
    }) ?? state.text,
  );
  const notes = [
    `${JSON_STRINGS}: ${long.length} string values of ${ctx.config.json.minWords} words or more compressed (${
      [...stages].join(', ') || 'no stage shortened any'
    }, ratio ${plan.ratio})${
      listed
        ? `, ${listed} array${listed === 1 ? '' : 's'} of one fact an item read as a list (${dropped.size} item${dropped.size === 1 ? '' : 's'} dropped whole)`
        : ''
    }; ${replace.size} shortened; ${strings.length - long.length} shorter ones, keys and numbers as written`,
  ];
  if (fallbacks)
    notes.push(`${JSON_STRINGS}: ${fallbacks} text(s) fell back to an earlier stage (see the fallback rules)`);
  accept(state, JSON_STRINGS, text, timing.tokensOut, notes);
}
