import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { createPruner, selectMeetingTarget } from '../src/generation/strategies/pruned/index.ts';
import { createCompressor, loadInferenceConfig } from '../src/inference/index.ts';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { o200kCounter } from '../src/tokenizers/o200k-counter.ts';
import {
  type Conversation,
  conversations,
  emptyRow,
  keepCells,
  measureWithQuery,
  type Qa,
  questions,
  type RetentionRow,
  recordOutput,
  refusedByCheck,
  survives,
} from './memory.ts';
import { pct, stamp, table, writeSection } from './results-file.ts';
import { scoreCached } from './score-cache.ts';

/**
 * `npm run bench -- memory-facts`: memory as apps that keep facts inject it (Mem0-style, one fact
 * a line), compressed without a question. LoCoMo's own observations of each session (facts about
 * each speaker, written by its authors, each citing its dialogue turn) make the list: one
 * `- fact` line each, per session. Retention: of the QA (categories 1, 2, 4) whose answer's
 * content words all stand in the facts of its evidence sessions, the share that still do after
 * the pruner at keep 0.5 and 0.33. Tuning 1-3, held out 4-5, as in the memory section.
 */

const ObservationsSchema = z.record(z.string(), z.record(z.string(), z.array(z.tuple([z.string(), z.unknown()]))));

/** Each LoCoMo file's samples, read and parsed once: the lists are asked for per session and per QA. */
const samplesByFile = new Map<string, { sample_id: string; observation?: unknown }[]>();

/** Each session's facts as a list, in the order LoCoMo gives them (speaker by speaker). */
export function factLists(locomoFile: string, conv: Conversation): Map<number, string> {
  let raw = samplesByFile.get(locomoFile);
  if (!raw) {
    raw = JSON.parse(readFileSync(locomoFile, 'utf8')) as { sample_id: string; observation?: unknown }[];
    samplesByFile.set(locomoFile, raw);
  }
  const sample = raw.find((s) => s.sample_id === conv.id);
  const observations = ObservationsSchema.parse(sample?.observation ?? {});
  const out = new Map<number, string>();
  for (const [key, bySpeaker] of Object.entries(observations)) {
    const n = Number(/^session_(\d+)_observation$/.exec(key)?.[1] ?? Number.NaN);
    if (!conv.sessions.has(n)) continue;
    const facts = Object.values(bySpeaker).flatMap((list) => list.map(([fact]) => `- ${fact.trim()}`));
    if (facts.length) out.set(n, facts.join('\n'));
  }
  return out;
}

interface FactRow extends RetentionRow {
  lists: number;
  /** Facts kept (with any word) against facts given, over the lists. */
  itemsKept: number;
  items: number;
  /** Kept facts reduced to fewer than three words besides the marker. */
  stubs: number;
  /** Lists whose output the product's model-stage check would refuse (the user gets the rules'). */
  refused: number;
}

/**
 * Each conversation's texts (`textsOf`: a session's list of facts, its summary) pruned on their own
 * by `pruned` (SmolLM2, one thread, scores cached under `key`) at keep 0.5 and 0.33, with the
 * retention of the QA whose answer stands in the texts of its evidence sessions. `row` makes a
 * row with the caller's own counts, and `count` adds one output's to them.
 */
export async function prunePerSession<R extends RetentionRow & { refused: number }>(
  convs: readonly Conversation[],
  textsOf: (conv: Conversation) => Map<number, string>,
  key: string,
  row: (ratio: number) => R,
  count: (row: R, text: string, kept: string) => void,
): Promise<R[]> {
  const ratios = [0.5, 0.33];
  const pruner = createPruner({ modelPath: ensureSmolLM2(), threads: 1, contextSize: 2048 });
  const o200k = await o200kCounter();
  const rows = ratios.map(row);
  const kinds = loadInferenceConfig().fallback.protect;
  const originals = new Map<Conversation, Map<number, string>>();
  try {
    for (const conv of convs) {
      const texts = textsOf(conv);
      originals.set(conv, texts);
      for (const [n, text] of texts) {
        const scored = await scoreCached(pruner, 'smollm2', `${conv.id}-${n}-${key}`, text);
        ratios.forEach((ratio, k) => {
          const c = selectMeetingTarget(scored, { ratio }, o200k);
          const r = rows[k] as R;
          r.before += c.totalTokens;
          r.after += c.keptTokens;
          count(r, text, c.text);
          if (refusedByCheck(text, c, 'nl', kinds)) r.refused++;
          recordOutput(r, conv, n, c.text);
        });
      }
    }
  } finally {
    await pruner.dispose();
  }
  for (const qa of questions(convs)) {
    const original = originals.get(qa.conv) ?? new Map<number, string>();
    if (!survives(qa, original)) continue;
    rows.forEach((r) => {
      r.base++;
      if (survives(qa, r.outputs.get(qa.conv) ?? new Map())) r.kept++;
    });
  }
  return rows;
}

const measure = (locomoFile: string, convs: readonly Conversation[], label: string): Promise<FactRow[]> =>
  prunePerSession(
    convs,
    (conv) => factLists(locomoFile, conv),
    'facts',
    (ratio) => ({ ...emptyRow(label, ratio), lists: 0, itemsKept: 0, items: 0, stubs: 0, refused: 0 }),
    (row, text, kept) => {
      row.lists++;
      const left = kept.split('\n').filter((l) => /^- \S/.test(l));
      row.items += text.split('\n').length;
      row.itemsKept += left.length;
      row.stubs += left.filter((l) => l.split(/\s+/).length - 1 < 3).length;
    },
  );

/**
 * The conversation's facts as one memory: each session's list under the session's dated header
 * (`Session 3 (1:56 pm on 8 May, 2023):`), so "when" questions keep their date and the output's
 * sections can be told apart.
 */
export function factMemory(locomoFile: string, conv: Conversation): Conversation {
  const sessions = new Map<number, string>();
  for (const [n, list] of factLists(locomoFile, conv)) {
    const header = (conv.sessions.get(n) ?? '').split('\n')[0]?.replace(/\):.*$/, '):') ?? `Session ${n}:`;
    sessions.set(n, `${header}\n${list}`);
  }
  return { ...conv, sessions, memory: [...sessions.values()].join('\n\n') };
}

/**
 * The same facts as an app keeping them as JSON would send them: `{"sessions": [{"session":
 * "Session 3 (1:56 pm on 8 May, 2023)", "facts": [...]}, ...]}`.
 */
export function factJson(locomoFile: string, conv: Conversation): string {
  return JSON.stringify(factSessions(locomoFile, conv), null, 2);
}

/** The same facts as an app keeping them as YAML would send them (`sessions:`, then `- session:` and its `facts:`). */
export function factYaml(locomoFile: string, conv: Conversation): string {
  return stringifyYaml(factSessions(locomoFile, conv), { lineWidth: 0 });
}

function factSessions(locomoFile: string, conv: Conversation) {
  const sessions = [...factLists(locomoFile, conv)].map(([n, list]) => ({
    session: (conv.sessions.get(n) ?? '').split('\n')[0]?.replace(/\):.*$/, ')') ?? `Session ${n}`,
    facts: list.split('\n').map((l) => l.replace(/^- /, '')),
  }));
  return { sessions };
}

/** A compressed JSON memory's sessions, as `sectionsOf` reads a text's: each kept session's facts under its name. */
export const jsonSections = (text: string): Map<number, string> => sectionsOfValue(text, JSON.parse);

/** A compressed YAML memory's sessions, as jsonSections reads JSON's. */
export const yamlSections = (text: string): Map<number, string> => sectionsOfValue(text, (t) => parseYaml(t));

function sectionsOfValue(text: string, read: (text: string) => unknown): Map<number, string> {
  const out = new Map<number, string>();
  let value: unknown;
  try {
    value = read(text);
  } catch {
    return out;
  }
  const parsed = z
    .object({ sessions: z.array(z.object({ session: z.string().optional(), facts: z.array(z.string()).optional() })) })
    .safeParse(value);
  if (!parsed.success) return out;
  for (const s of parsed.data.sessions) {
    const n = Number(/^Session (\d+)/.exec(s.session ?? '')?.[1] ?? Number.NaN);
    if (!Number.isNaN(n)) out.set(n, `${s.session}\n${(s.facts ?? []).join('\n')}`);
  }
  return out;
}

/**
 * The JSON form without a question, through `compress(json, {ratio})` as `studio compress` runs it:
 * the rules minify it, the json-strings stage compresses each session's facts as one list (the
 * configured pipeline: the pruner here) and places the kept lines back on their items.
 */
export async function jsonWithoutQuestion(locomoFile: string, convs: readonly Conversation[], label: string) {
  const compressor = createCompressor(loadInferenceConfig({ override: { cache: { entries: 0 } } }));
  const rows: string[][] = [];
  try {
    for (const ratio of [0.5, 0.33]) {
      let before = 0;
      let after = 0;
      let listed = 0;
      let lists = 0;
      const outputs = new Map<string, Map<number, string>>();
      for (const conv of convs) {
        const sections = new Map<number, string>();
        for (const n of factLists(locomoFile, conv).keys()) {
          const one = { ...conv, sessions: new Map([[n, conv.sessions.get(n) ?? '']]) };
          const r = await compressor.compress(factJson(locomoFile, one), { ratio });
          if (!r.strategy.includes('json-strings')) throw new Error(`${conv.id}-${n}: went through ${r.strategy}`);
          lists++;
          if (r.notes.some((note) => note.includes('read as a list'))) listed++;
          before += r.tokensBefore;
          after += r.tokensAfter;
          // The facts alone, as the text form's lists hold no header (its date would count for answers).
          for (const [k, v] of jsonSections(r.text)) sections.set(k, v.slice(v.indexOf('\n') + 1));
        }
        outputs.set(conv.id, sections);
      }
      // The base of the text form's rows: the QA whose answer stands in its evidence sessions' lists.
      let base = 0;
      let kept = 0;
      for (const qa of questions(convs)) {
        if (!survives(qa, factLists(locomoFile, qa.conv))) continue;
        base++;
        if (survives(qa, outputs.get(qa.conv.id) ?? new Map())) kept++;
      }
      const cells = [
        `${label}, ${lists} lists as JSON`,
        `keep ${ratio}`,
        `${(before / Math.max(1, after)).toFixed(2)}x`,
        `${kept}/${base}`,
        pct(kept / Math.max(1, base)),
        `${listed} of ${lists} compressed as lists`,
      ];
      console.log(cells.join(' | '));
      rows.push(cells);
    }
  } finally {
    await compressor.dispose();
  }
  return rows;
}

async function withQuestion(locomoFile: string, tuning: readonly Conversation[], heldOut: readonly Conversation[]) {
  const work = resolve('bench', '.work', 'memory');
  mkdirSync(work, { recursive: true });
  const compressor = createCompressor(
    loadInferenceConfig({
      override: { query: { embeddingCache: join(work, 'embeddings.db') }, cache: { entries: 0 } },
    }),
  );
  try {
    const rows = [];
    for (const [convs, label] of [
      [tuning, 'conversations 1-3 (tuning)'],
      [heldOut, 'conversations 4-5 (held out)'],
    ] as const) {
      const facts = convs.map((c) => factMemory(locomoFile, c));
      // The same facts as an app keeping them as JSON sends them: the select stage's JSON records.
      const json = new Map(convs.map((c) => [c.id, factJson(locomoFile, c)]));
      const asJson = {
        textOf: (qa: Qa) => json.get(qa.conv.id) as string,
        sectionsOf: jsonSections,
        strategy: 'select',
      };
      // And as YAML: the same records, written back as YAML.
      const yaml = new Map(convs.map((c) => [c.id, factYaml(locomoFile, c)]));
      const asYaml = {
        textOf: (qa: Qa) => yaml.get(qa.conv.id) as string,
        sectionsOf: yamlSections,
        strategy: 'select',
      };
      const measured = [
        ...(await measureWithQuery(compressor, questions(facts), [0.2, 0.1, 0.05], label)),
        ...(await measureWithQuery(compressor, questions(facts), [0.2, 0.1, 0.05], `${label}, as JSON`, asJson)),
        ...(await measureWithQuery(compressor, questions(facts), [0.2, 0.1, 0.05], `${label}, as YAML`, asYaml)),
      ];
      const mean = (m: Map<string, string>) => [...m.values()].reduce((a, t) => a + t.length, 0) / m.size;
      for (const r of measured) {
        const size = r.label.endsWith('as JSON')
          ? mean(json)
          : r.label.endsWith('as YAML')
            ? mean(yaml)
            : facts.reduce((a, c) => a + c.memory.length, 0) / facts.length;
        const cells = [
          `${r.label}, ${Math.round(size / 1000)}k characters a memory`,
          `${Math.round(1 / r.ratio)}x asked`,
          `${r.reduction.toFixed(1)}x`,
          `${r.kept}/${r.base}`,
          pct(r.retention),
          `${r.msMean.toFixed(1)}`,
        ];
        console.log(cells.join(' | '));
        rows.push(cells);
      }
    }
    return rows;
  } finally {
    await compressor.dispose();
  }
}

export async function benchMemoryFacts(shared: string): Promise<void> {
  const locomoFile = join(shared, 'locomo-dev.json');
  const all = conversations(locomoFile);
  const rows = [
    ...(await measure(locomoFile, all.slice(0, 3), 'conversations 1-3 (tuning)')),
    ...(await measure(locomoFile, all.slice(3, 5), 'conversations 4-5 (held out)')),
  ];
  const cells = rows.map((r) => [
    `${r.label}, ${r.lists} lists`,
    ...keepCells(r),
    `${r.itemsKept} of ${r.items}`,
    String(r.stubs),
    `${r.refused}/${r.lists}`,
  ]);
  for (const c of cells) console.log(c.join(' | '));
  const plainJson = [
    ...(await jsonWithoutQuestion(locomoFile, all.slice(0, 3), 'conversations 1-3 (tuning)')),
    ...(await jsonWithoutQuestion(locomoFile, all.slice(3, 5), 'conversations 4-5 (held out)')),
  ];
  const asked = await withQuestion(locomoFile, all.slice(0, 3), all.slice(3, 5));
  writeSection(
    'memory-facts',
    `## Memory as a list of facts, without a question (LoCoMo observations)

${stamp()} · \`npm run bench -- memory-facts\`

Apps that keep facts (Mem0-style) inject them one a line. LoCoMo's own observations of each session
(facts about each speaker written by its authors, each citing its dialogue turn) make such a list:
one \`- fact\` line each, per session of conversations 1-5, pruned by \`pruned\` (SmolLM2-135M-Instruct
Q4_1, one thread, scores cached in bench/.work/scores) at keep 0.5 and 0.33. Retention: of the QA
(categories 1, 2, 4) whose answer's content words all stand in the facts of its evidence sessions,
the share that still do. "Facts left" counts the lines with any word kept; "stubs", kept facts cut
to fewer than three words. The last column: lists whose output the product's model-stage check
(src/inference/checks.ts) would refuse, so that \`studio compress\` gives the rules' output instead.

The pruner reads such a list as it reads turns, each marker as a label (\`listItems\`,
src/generation/strategies/pruned/units.ts): whole facts that say least that is new go first, when
the budget cannot hold every word once, so few facts are thinned to a stub ("- Jon aspires"). Before, every
fact was thinned word by word ("- Dana is allergic to peanuts and shellfish." came back as "Dana");
measured the same way on the same scores (2026-12-02), keep 0.5: 115/138 (83.3 %) tuning, 127/161
(78.9 %) held out; keep 0.33: 72/138 (52.2 %), 76/161 (47.2 %), with the markers gone from every line.
Tuning is level (115 and 71 now); held out, looked at once, 10 and 19 answers more. The turn model
(fitted on dialogue) ranks facts better than none: without it, 107 / 69 tuning, 126 / 79 held out. A list is read
as such only when at least three lines and half of them are items, so a few bullets in prose are not.

${table(['lists', 'target', 'reduction (o200k)', 'answers kept', 'retention', 'facts left', 'stubs', "refused by studio compress's check"], cells)}

### The same lists as JSON, without a question

Each session's list sent as an app keeping facts as JSON would (\`{"sessions": [{"session": "Session 3 (1:56 pm on
8 May, 2023)", "facts": [...]}]}\`, pretty-printed) through \`compress(json, {ratio})\` with the configured
pipeline, as \`studio compress\` runs it: the rules minify it, and the json-strings stage
(src/inference/compress-json.ts) compresses the facts as one list (the pruner, live) and places each kept line
back on its item; the session's name, no prose, stays as written. Retention on the same QA as above, over the
kept facts alone. The reduction counts the JSON's keys and quotes, which no stage removes, so keep 0.33 gives
less than 3x; the last column counts the lists placed back as lists (the others went fact by fact).

${table(['lists', 'target', 'reduction (o200k)', 'answers kept', 'retention', 'lists compressed as lists'], plainJson)}

### With the question

Each conversation's lists joined as one memory, each under its session's dated header, compressed
once per QA with its question (\`compress(memory, {query, ratio})\`, the select stage with its
defaults: the learned ranker fitted on the dialogue of conversations 1-3, telegraphic style); retention
as above, over the output's sections. Nothing was tuned on this form of memory. The mean time of the
5x rows holds each memory's first, uncached embedding pass (the vectors are cached for the rest).
Tried on this form and not adopted (5x / 10x / 20x, tuning then held out, against 159 / 151 / 145 and
163 / 154 / 144): no reply brought after the best units in prose (in a list the next line is another
fact), 159 / 152 / 145 and 163 / 154 / 143; a fact's leading name read as its speaker (the speaker
features of the ranker, fitted on dialogue, then apply), 161 / 152 / 145 and 160 / 155 / 142.
Since then the speakers' names left the question's BM25 terms (the ranker refitted on dialogue): 158 / 152 / 145
and 163 / 153 / 144; reading prose across its wrapped lines, with headings kept over their sections, changed
no list here (the same numbers before and after; only held-out facts naming "J.K. Rowling" and "George R. R.
Martin" are now one sentence each).
Since then (2026-12-05) a fact that holds whatever the question (an allergy, a diet, an instruction
for the assistant) is ranked right after the best match, within 30 % of the budget (standing-facts.ts):
LoCoMo's facts hold a few (diets, conditions), and moving them up cost the held-out text form 163 / 154 / 147 -> 160 / 152 / 143
(tuning the same, 160 / 152 / 146), measured on the commit before and the commit itself; kept for the user
whose "severe peanut allergy" a restaurant question had dropped.
Since then (2026-12-05, session 28) those facts come after the question's best units (half the budget), ranked by
relevance among themselves, and a sentence that refers back comes with the one it refers to: held out, text form
160 / 153 / 141 -> 160 / 153 / 144, JSON 157 / 144 / 135 -> 157 / 145 / 136, YAML 153 / 140 / 128 -> 153 / 144 / 131
(tuning unchanged). Without a question the pruner now locks a determiner "no" with its noun ("no flat fee"),
exceptions and conditions with what they reach ("except for source code"), and a cap with its number: keep 0.33
held out 96 -> 95 of 161 (the rest unchanged), kept for what the lists then say.
Since then (2026-12-06, session 32) an allergy, a diet or a condition is such a fact only for a question about
eating or a medicine (an instruction still for any question), as in a JSON memory, and a plain-text document's
short title heads its section: held out, text form 160 / 153 / 143 -> 163 / 155 / 146 (tuning, JSON and YAML
unchanged). Without a question the pruner now keeps a replaced value, a decision's verb, a drug and a test's result
(review 5): keep 0.5 held out 138 -> 143 of 161, keep 0.33 unchanged (94).
Session 33 (2026-12-06): with the question, held out text form 163 / 155 / 146 -> 163 / 155 / 147 (tuning
161 / 152 / 148 -> 161 / 151 / 146; JSON and YAML unchanged). Without a question the pruner's new locks (an action's
object, a range's "to", a part of a whole's "of", a hand-over) cost the tuning lists keep 0.5 115 -> 113 of 138; held
out unchanged (143 and 94 of 161).
The rows "as JSON" hold the same facts as an app keeping them as JSON sends them (\`{"sessions": [{"session":
"Session 3 (1:56 pm on 8 May, 2023)", "facts": [...]}]}\`, pretty-printed): the select stage keeps whole facts
as JSON records (src/inference/query/json-memory.ts), each with its session's name, and writes JSON back;
retention over the kept facts of each session. Its reduction counts the JSON's keys and quotes, so a
budget holds fewer facts than the text form's. Its strings are telegraphic past the verbatim share, as
kept turns are (query.style); kept as written, 5x / 10x / 20x kept 154 / 143 / 138 (tuning) and
154 / 143 / 132 (held out).
The rows "as YAML" hold the same facts as an app keeping them as YAML sends them (\`sessions:\`, then
\`- session: Session 3 (1:56 pm on 8 May, 2023)\` and its \`facts:\` list, as the \`yaml\` library writes them): the
same records (src/util/yaml-source.ts reads them into the tree JSON gives), written back as YAML with its
layout; nothing was tuned on it.

${table(['memory', 'target', 'reduction (o200k)', 'answers kept', 'retention', 'ms per query (mean)'], asked)}
`,
  );
}
