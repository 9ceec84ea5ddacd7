import { embedderPresent } from '../embeddings/sentence-embedder.ts';
import { InputError, ModelLoadError } from '../errors/index.ts';
import { dropCutTags } from '../generation/markup.ts';
import { locateJsonError } from '../io/json-error.ts';
import type { TokenCounter } from '../tokenizers/o200k-counter.ts';
import { arrayToLines, linesToArray, parseJsonLines } from '../util/json-lines.ts';
import { jsonFaults, withoutBom } from '../util/json-source.ts';
import { parseTable, type Table } from '../util/table-source.ts';
import type { InferenceConfig } from './config.ts';
import { modelProblem, rememberLoadFailure, type Stamp, stampsOf } from './model-availability.ts';
import { createEmbeddingStore, type EmbeddingStore, resolveEmbeddingCache } from './query/embedding-store.ts';
import { parseConfigMemory, parseJsonMemory, parseYamlMemory, selectJson } from './query/json-memory.ts';
import { readsForMiniLM, selectForQuery } from './query/select.ts';
import { selectTable } from './query/table-memory.ts';

/**
 * The `select` stage of a compressor: query-aware selection with the compressor's embedding store,
 * created at the first query and kept (the MiniLM model stays loaded, its vectors cached). Without
 * the MiniLM file, selection runs on BM25 and the boosts, and the notes say so.
 */

export interface QueryRunOptions {
  /** o200k tokens the selection may hold. */
  budget: number;
  /**
   * The budget the caller was asked for, when `budget` is less: the code path selects a script's or
   * a config's lines within what their blocks' opening and closing lines leave. The note names both
   * (re-read, session 37: "budget 13 o200k tokens" read as the budget of a call asking 59).
   */
  budgetAsked?: number;
  count: TokenCounter;
  /** The text's o200k tokens, when the caller has counted them already (a memory is counted once a call). */
  tokens?: number;
  /** Stops the call (and, without `denseSignal`, the embedding of the memory's new texts). */
  signal?: AbortSignal;
  /** Past it, a memory still being embedded is ranked without its vectors (SelectOptions.denseSignal). */
  denseSignal?: AbortSignal;
  /** The text's language when it is code ('yaml': its records are selected, as JSON's are). */
  language?: string | null;
  /** Spans that must survive verbatim: their units are kept first, as written (SelectOptions.protect). */
  protect?: readonly (string | RegExp)[];
  /** Kept lines as written whatever `query.style` says: lines of code or a config, whose every mark counts. */
  verbatim?: boolean;
  /** Read the text as a script's lines, each a unit (SelectOptions.lines). */
  lines?: boolean;
}

export interface QueryRunResult {
  text: string;
  notes: string[];
  embedded: number;
  densePending: boolean;
  /** The text fit the budget and was kept as it is: nothing was selected. */
  keptWhole: boolean;
  /** The o200k tokens of `text`, when the stage counted them (the caller need not again). */
  tokens?: number;
  /**
   * A script's lines (`lines`): the most relevant line as written, when it was kept. The code path's
   * retries at a smaller budget keep it (compress-stages.ts).
   */
  best?: string;
}

export interface QueryStage {
  run(text: string, query: string, options: QueryRunOptions): Promise<QueryRunResult>;
  store(): EmbeddingStore | null;
  dispose(): Promise<void>;
}

export function createQueryStage(config: InferenceConfig): QueryStage {
  const path = config.query.embedder;
  let store: EmbeddingStore | null = null;
  // The embedder's files as they were when the current store was made: a load that fails is
  // remembered against them (model-availability.ts), so calls rank without vectors, saying why,
  // until the files change (a pull with --force), instead of failing every call.
  let storeStamps: Stamp[] = [];
  // Stores closed because their model would not load, and why: a call still on one gets its close as
  // an error, and falls back as the call that found the failure did.
  const closedBroken = new WeakMap<EmbeddingStore, string>();
  const markBroken = async (failed: EmbeddingStore, error: Error) => {
    if (closedBroken.has(failed)) return;
    closedBroken.set(failed, error.message);
    if (store === failed) {
      store = null;
      rememberLoadFailure({ path }, error.message, storeStamps);
    }
    await failed.dispose();
  };
  const getStore = (): EmbeddingStore | null => {
    if (store) return store;
    if (!embedderPresent(path) || modelProblem({ path })) return null;
    const stamps = stampsOf({ path });
    try {
      store = createEmbeddingStore({ modelPath: path, dbPath: resolveEmbeddingCache(config.query.embeddingCache) });
      storeStamps = stamps;
    } catch (error) {
      // An export whose embedder.json cannot be read: known before any text is embedded. A setting
      // that names no embedder at all (a ConfigError) is the user's to fix, and fails the call.
      if (!(error instanceof ModelLoadError || error instanceof InputError)) throw error;
      rememberLoadFailure({ path }, error.message, stamps);
    }
    return store;
  };
  /** Why a present embedder is not used: the failure remembered against its files as they are. */
  const unloadable = (): string | null => {
    const problem = modelProblem({ path });
    return problem?.reason === 'error' ? problem.detail : null;
  };
  return {
    async run(text, query, options) {
      const s = getStore();
      try {
        return await select(s, s ? null : unloadable(), text, query, options);
      } catch (error) {
        if (!s) throw error;
        if (error instanceof ModelLoadError) await markBroken(s, error);
        // Not this model's failure, unless another call found the model broken and closed the
        // store under this one.
        const reason = closedBroken.get(s);
        if (reason === undefined) throw error;
        options.signal?.throwIfAborted();
        return await select(null, unloadable() ?? reason, text, query, options);
      }
    },
    store: () => store,
    async dispose() {
      const s = store;
      store = null;
      await s?.dispose();
    },
  };

  /** `unloadable`: why the embedder could not be used (null: it was, or it has no file). */
  async function select(
    s: EmbeddingStore | null,
    unloadable: string | null,
    text: string,
    query: string,
    {
      budget,
      budgetAsked,
      count,
      tokens: known,
      signal,
      denseSignal,
      language,
      protect,
      verbatim,
      lines,
    }: QueryRunOptions,
  ): Promise<QueryRunResult> {
    const options = {
      query,
      budget,
      count,
      store: s,
      weights: config.query.weights,
      style: verbatim ? ('verbatim' as const) : config.query.style,
      ranker: config.query.ranker,
      ...(signal ? { signal } : {}),
      ...(denseSignal ? { denseSignal } : {}),
      ...(protect?.length ? { protect } : {}),
      ...(lines ? { lines } : {}),
    };
    const how = (r: { embedded: number; densePending: boolean }) =>
      `budget ${budget} o200k tokens${budgetAsked !== undefined && budgetAsked > budget ? ` of the ${budgetAsked} asked, the rest left for the lines opening and closing their blocks` : ''}; ${!s ? 'BM25 only' : !readsForMiniLM(query) ? 'BM25 only: MiniLM reads English, and the query is in another script' : r.densePending ? 'BM25 only for now' : `BM25 + MiniLM, ${r.embedded} new embedding${r.embedded === 1 ? '' : 's'}`}`;
    /** The notes of either selection: what it kept, then why dense relevance was off, then an overrun. */
    const report = (
      r: {
        text: string;
        embedded: number;
        densePending: boolean;
        overBudget: boolean;
        bestLeftOut?: number;
        bestLeftOutWith?: number;
        belowFloor?: number;
        /** The text's tokens when the selection counted them already. */
        tokens?: number;
      },
      kept: string,
      piece: string,
    ) => {
      const notes = [kept];
      // Stopped well short of the budget: said why (review: "budget 1540" and 258 tokens out, no reason).
      // Counted only when there is something to say: this runs on every query.
      const used = r.belowFloor ? (r.tokens ?? count(r.text)) : budget;
      if (r.belowFloor && used < 0.8 * budget)
        notes.push(
          `select: ${used} of the ${budget} tokens used: ${r.belowFloor.toLocaleString('en-US')} ${piece}${r.belowFloor === 1 ? '' : 's'} left out rank far below the best for this query (10 logits or more), so the budget was not spent on them`,
        );
      if (!s)
        notes.push(
          unloadable
            ? `select: dense relevance off: ${unloadable}; ranked by BM25 and the cues (studio models pull minilm --force)`
            : `select: dense relevance off: no model file at ${path} (studio models pull minilm)`,
        );
      if (r.densePending)
        notes.push(
          `select: dense relevance off for this call: the memory's first embedding pass had not ended within denseWithinMs; it goes on in the background, and the next call ranks with it`,
        );
      if (r.overBudget) notes.push(`select: the most relevant ${piece} alone is over the budget; it was kept`);
      if (r.bestLeftOut)
        notes.push(
          `select: the most relevant ${piece} (${r.bestLeftOut.toLocaleString('en-US')} tokens${(r.bestLeftOutWith ?? 0) > r.bestLeftOut + 1 ? `, ${(r.bestLeftOutWith as number).toLocaleString('en-US')} with the headers it comes under` : ''}) is over the budget alone and has no shorter part for the query: left out, the next ones kept (a larger --ratio or --max-tokens keeps it)`,
        );
      return {
        text: r.text,
        notes,
        embedded: r.embedded,
        densePending: r.densePending,
        keptWhole: false,
        ...(r.tokens !== undefined ? { tokens: r.tokens } : {}),
      };
    };
    // A budget that holds the whole memory asks for nothing to go: no selection, and no telegraphic
    // rewrite either (it cut a 12,135-token memory to 7,721 at --ratio 1).
    const tokens = known ?? count(text);
    if (tokens <= budget)
      return {
        text,
        notes: [`select: the memory fits the budget (${tokens} of ${budget} o200k tokens): kept as it is`],
        embedded: 0,
        densePending: false,
        keptWhole: true,
        tokens,
      };
    const table = parseTable(text);
    if (table) {
      const r = await selectTable(table, options);
      const out = report(
        r,
        r.columns
          ? `select: kept ${r.kept} of ${r.rows} table rows for the query, under the ${r.columns.length} of the header's ${table.header.cells.length} columns it needs (${r.columns.join(', ')}): the whole header left no room for the rows (${how(r)})`
          : `select: kept ${r.kept} of ${r.rows} table rows for the query, under the header, as written (${how(r)})`,
        'row',
      );
      // Said, not left silent (review: "Who works in Engineering?" kept 3 of the 4 rows).
      if (r.missed)
        out.notes.push(
          missedNote(
            r.missed,
            'row',
            r.emptyColumn !== undefined ? `with no "${r.emptyColumn}", as the query asks,` : undefined,
          ),
        );
      if (table.ragged.length) out.notes.push(raggedNote(table, r.columns !== undefined));
      return out;
    }
    // JSON Lines are selected as the array of their records, and written back a record a line.
    const records = parseJsonLines(text);
    // JSON with a fault a selection can read past (a trailing or missing comma, a comment, a cut end)
    // is selected from, and said to be: kept whole, it was over the budget (review).
    const unmarked = withoutBom(text);
    const broken = !records && language === 'json' ? locateJsonError(unmarked) : undefined;
    const json =
      parseJsonMemory(records ? linesToArray(records) : text, { lenient: broken !== undefined }) ??
      (language === 'yaml'
        ? parseYamlMemory(text)
        : language === 'toml' || language === 'ini'
          ? parseConfigMemory(text, language)
          : null);
    if (json) {
      const selected = await selectJson(json, options);
      const r = records ? { ...selected, text: arrayToLines(selected.text) ?? selected.text } : selected;
      // JSON lines are said as such: they come back a record a line, not as one JSON document (review).
      const format = json.format === 'json' ? (records ? 'JSON lines' : 'JSON') : json.format.toUpperCase();
      if (r.unwritable)
        return report(
          r,
          `select: the ${format} could not be written back with the records the query needs; kept as written`,
          'record',
        );
      const out = report(
        r,
        `select: kept ${r.kept} of ${r.records} ${records ? 'records' : `${format} records`} for the query, as ${format}${records ? ' (a record a line)' : ''}${json.format === 'yaml' ? ' (comments and styles kept)' : json.format === 'json' ? '' : ' (whole lines kept, each key with its section and comments)'} (${how(r)})${config.query.style === 'telegraphic' ? ', telegraphic: closed-class words dropped from the strings of records below the best (query.style)' : ''}`,
        'record',
      );
      if (r.partly)
        out.notes.push(
          `select: ${r.partly.left} more record${r.partly.left === 1 ? '' : 's'} of ${r.partly.of.map((n) => `"${n}"`).join(', ')} did not fit the budget: what is kept of ${r.partly.of.length === 1 ? 'it' : 'them'} is not all ${r.partly.of.length === 1 ? 'it holds' : 'they hold'} (a larger --ratio or --max-tokens keeps ${r.partly.left === 1 ? 'it' : 'them'})`,
        );
      // Said, as on the CSV path (review, session 36: one of two `severity: page` rules at 0.1, silent).
      if (r.missed) out.notes.push(missedNote(r.missed, 'record'));
      if (r.inPart)
        out.notes.push(
          `select: ${r.inPart} record${r.inPart === 1 ? '' : 's'} kept in part: the fields the query names, with the field saying which record ${r.inPart === 1 ? 'it is' : 'each is'} (a larger --ratio or --max-tokens keeps ${r.inPart === 1 ? 'it' : 'them'} whole)`,
        );
      if (broken)
        out.notes.push(
          `select: the JSON does not parse (line ${broken.line}, column ${broken.column}); read past ${jsonFaults(unmarked).join(', ') || 'its faults'}, the kept records written back as valid JSON`,
        );
      return out;
    }
    const selected = await selectForQuery(text, options);
    // Sentences kept from inside an element would leave its other tag behind (`Miso.</p>`).
    const uncut = dropCutTags(text, selected.text);
    const r = { ...selected, text: uncut, tokens: uncut === selected.text ? selected.tokens : count(uncut) };
    // Framing tags (`<memory>`) are kept whatever the query: counted apart, not as turns.
    const tags = r.memory.units.filter((u) => u.pinned).length;
    // Tag lines around nothing kept go (select.ts), so fewer may be kept than there are.
    const keptTags = r.keptUnits.filter((i) => r.memory.units[i]?.pinned).length;
    // A turn of several lines (a reply with a list) is kept line by line: both are counted then.
    const turnsOf = (units: readonly number[]) =>
      new Set(units.flatMap((i) => (r.memory.units[i]?.pinned ? [] : [r.memory.units[i]?.turn]))).size;
    const turns = turnsOf(r.memory.units.map((u) => u.index));
    // A subtitle transcript's units are its cues, kept as written (memory-units.ts).
    const cues = r.memory.transcript === true;
    // A log's units are its records, each a line with its stack trace (log-lines.ts; review 5 F-24:
    // "kept 7 of 64 sentences" of a log of 56 lines).
    const what = cues
      ? 'cues'
      : r.memory.source
        ? 'lines'
        : r.memory.diff
          ? 'lines of the diff'
          : r.memory.log
            ? 'log records'
            : r.format !== 'dialogue'
              ? 'sentences'
              : turns === r.units - tags
                ? 'turns'
                : `lines (${turnsOf(r.keptUnits)} of ${turns} turns)`;
    const style = cues
      ? ', as written, each with its number and timing'
      : r.memory.diff
        ? ', as written, under their hunk and file headers (a removed line and the line replacing it counted as one)'
        : r.memory.log
          ? ', as written, each with its stamp and the lines under it'
          : r.style === 'telegraphic'
            ? ', telegraphic: closed-class words dropped from kept turns (query.style)'
            : '';
    const out = report(
      r,
      `select: kept ${r.keptUnits.length - keptTags} of ${r.units - tags} ${what} for the query${keptTags ? (cues ? ` (and ${fileBlocks(r.keptUnits.flatMap((i) => (r.memory.units[i]?.pinned ? [r.memory.units[i]?.text ?? ''] : [])))})` : ` (and ${keptTags === tags ? 'the' : `${keptTags} of the`} ${tags} framing tag${tags === 1 ? '' : 's'})`) : ''} (${how(r)})${style}`,
      cues ? 'cue' : 'unit',
    );
    // A document's table, as the CSV path says its own (document-tables.ts).
    for (const c of r.columnsCut)
      out.notes.push(
        `select: a table's rows kept under the ${c.columns.length} of its ${c.width} columns the query needs (${c.columns.join(', ')}): the whole header left no room for the rows`,
      );
    if (r.namedRowsMissed) out.notes.push(missedNote(r.namedRowsMissed, 'table row'));
    if (!r.memory.source) return out;
    let top = -1;
    for (const i of r.keptUnits) if (top < 0 || (r.scores[i] as number) > (r.scores[top] as number)) top = i;
    const first = r.scores.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
    const best = top >= 0 && r.scores[top] === first ? r.memory.units[top]?.text : undefined;
    return best === undefined ? out : { ...out, best };
  }
}

/** The note of records or rows the question asks for that did not fit: a CSV's, a JSON's, a document table's. */
function missedNote(n: number, what: string, holding = 'holding a value the query names'): string {
  return `select: ${n} more ${what}${n === 1 ? '' : 's'} ${holding} did not fit the budget (a larger --ratio or --max-tokens keeps ${n === 1 ? 'it' : 'them'})`;
}

/**
 * The rows read past another cell count than the header's, named by line (review: one row's extra
 * cell dropped the whole table to prose, "kept 1 of 1 sentences", without a word).
 */
export function raggedNote({ header, ragged }: Pick<Table, 'header' | 'ragged'>, narrowed = false): string {
  const width = header.cells.length;
  const [one] = ragged;
  // Cut to the columns a question needs, a row is written cell by cell: a short row's missing cells
  // come out empty, a long one's extra cells are left out (re-read of session 35: "Gus Hale,," under
  // a note saying "kept as written").
  const how = narrowed
    ? ', written under the columns kept (a missing cell empty, an extra one left out)'
    : ', kept as written';
  if (ragged.length === 1 && one)
    return `select: the table's line ${one.line} has ${one.cells} cells where its header has ${width}: read as a row all the same${how}`;
  const named = ragged.slice(0, 3).map((r) => `${r.line} (${r.cells} cells)`);
  const more = ragged.length - named.length;
  return `select: the table's lines ${named.join(', ')}${more ? ` and ${more} more` : ''} have another cell count than its header's ${width}: read as rows all the same${how}`;
}

/** A transcript's own blocks, kept beside its cues, named: "the WEBVTT head and 1 NOTE block". */
export function fileBlocks(texts: readonly string[]): string {
  const kinds = new Map<string, number>();
  for (const t of texts) {
    const kind = /^\uFEFF?(WEBVTT|NOTE|STYLE|REGION)/.exec(t)?.[1] ?? 'other';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const parts = [...kinds].map(([kind, n]) =>
    kind === 'WEBVTT' ? 'the WEBVTT head' : `${n} ${kind === 'other' ? 'other' : kind} block${n === 1 ? '' : 's'}`,
  );
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '');
}
