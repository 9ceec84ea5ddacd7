import { dirname } from 'node:path';
import { compressWithRules } from '../generation/rules/index.ts';
import { compressCodePath } from '../generation/strategies/code-path.ts';
import type { TokenCounter } from '../tokenizers/o200k-counter.ts';
import { type CompressPlan, JSON_STRINGS } from './compress-plan.ts';
import type { CompressResult, StageTiming } from './compress-types.ts';
import type { InferenceConfig } from './config.ts';
import { runModelStage } from './model-stage.ts';
import type { ModelSet } from './models.ts';
import { type CodeSelection, type CodeSkipped, selectCodeForQuery } from './query/code-select.ts';
import { nestKeptLines, withoutUnopenedClosers } from './query/nested-lines.ts';
import { withSettingLines } from './query/setting-lines.ts';
import type { QueryRunOptions, QueryStage } from './query-stage.ts';
import { compressCues } from './transcript-cues.ts';

/**
 * The stages of a pipeline, one function each: query selection, the rules, the code path and a
 * model stage. Each reads the text so far from the state, times itself, and either hands its
 * output on (named in the strategy) or leaves the text as it was with a note saying why.
 */

export interface StageContext {
  config: InferenceConfig;
  models: ModelSet;
  queryStage: QueryStage;
  count: TokenCounter;
  /** The run's signal: the caller(s) gave up (checked between stages and by the model stages). */
  signal?: AbortSignal;
  /** Fires `denseWithinMs` after the run started: the select stage stops waiting for new vectors. */
  denseSignal?: AbortSignal;
}

/** The pipeline as it runs: the text so far, its tokens, and the result being reported. */
export interface PipelineState {
  text: string;
  tokens: number;
  /** The stages whose output is in `text`. */
  used: string[];
  result: CompressResult;
  /**
   * The model stages passed over for want of their model file, not said yet: said in one line with
   * the stage that ran, or at the end (noteSkippedModels).
   */
  noModel?: { stage: string; detail: string }[];
}

export function openTiming(state: PipelineState, stage: string, count: TokenCounter) {
  const s0 = performance.now();
  const timing: StageTiming = { stage, ms: 0, tokensIn: state.tokens, tokensOut: state.tokens };
  state.result.timings.push(timing);
  const done = (out: string) => {
    timing.ms = performance.now() - s0;
    timing.tokensOut = count(out);
    return out;
  };
  return { timing, done, s0 };
}

export function accept(state: PipelineState, stage: string, text: string, tokens: number, notes: readonly string[]) {
  state.text = text;
  state.tokens = tokens;
  state.used.push(stage);
  // Two stages may say the same (the rules and the code path both find a source that does not parse).
  for (const note of notes) if (!state.result.notes.includes(note)) state.result.notes.push(note);
}

/** What every query selection of a call is run with: its budget, counter, protected spans and signals. */
function queryRunShared(plan: CompressPlan, ctx: StageContext, budget: number): QueryRunOptions {
  return {
    budget,
    count: ctx.count,
    ...(plan.protect.length ? { protect: plan.protect } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.denseSignal ? { denseSignal: ctx.denseSignal } : {}),
  };
}

/** Query-aware selection: the turns or sentences the query needs, within the budget. */
export async function runSelectStage(state: PipelineState, plan: CompressPlan, query: string, ctx: StageContext) {
  const s0 = performance.now();
  const budget = plan.maxTokens ?? Math.max(1, Math.floor(plan.ratio * plan.tokensBefore));
  const r = await ctx.queryStage.run(state.text, query, {
    ...queryRunShared(plan, ctx, budget),
    tokens: state.tokens,
    language: plan.language,
  });
  if (r.densePending) state.result.densePending = true;
  if (r.keptWhole) state.result.keptWhole = true;
  // Counted by the stage already for most selections (a 20k-token memory's output, on every query).
  const tokens = r.tokens ?? ctx.count(r.text);
  state.result.timings.push({
    stage: 'select',
    ms: performance.now() - s0,
    tokensIn: plan.tokensBefore,
    tokensOut: tokens,
  });
  // A selection longer than what it selects from is no compression: nested tags kept with their
  // framing on lines of their own came back a token longer than they went in (a fuzz, session 40).
  if (tokens > state.tokens) {
    state.result.notes.push(
      `select: the selection (${tokens} o200k tokens) was longer than the text it selects from (${state.tokens}): the text is kept as it is`,
    );
    return;
  }
  accept(state, 'select', r.text, tokens, r.notes);
}

export async function runRulesStage(state: PipelineState, plan: CompressPlan, ctx: StageContext) {
  const { timing, done } = openTiming(state, 'rules', ctx.count);
  const r = await compressWithRules(state.text, {
    domain: plan.domain,
    language: plan.language,
    ...(plan.protect.length ? { protect: plan.protect } : {}),
    // The code path strips them unless a query keeps the bodies it needs (code-select.ts).
    ...(plan.query !== undefined && plan.domain === 'code' && plan.pipeline.includes('code-path')
      ? { keepDocs: true }
      : {}),
  });
  const text = done(r.text);
  accept(state, 'rules', text, timing.tokensOut, r.notes);
}

/** A subtitle transcript without a query: small-talk cues dropped whole, the rest telegraphic if still over. */
export function runCuesStage(state: PipelineState, plan: CompressPlan, ctx: StageContext) {
  const { timing, done } = openTiming(state, 'cues', ctx.count);
  const r = compressCues(state.text, plan.ratio, ctx.count);
  const text = done(r.text);
  accept(state, 'cues', text, timing.tokensOut, r.notes);
}

/** Languages of lines, not functions: a question may select their lines as written. */
const LINE_LANGUAGES: ReadonlySet<string> = new Set(['css', 'dockerfile', 'hcl', 'makefile', 'sql']);

/**
 * Shell whose lines a question may select as written: an .env's settings, a flat list of variables
 * and commands (review s35 h3: an .env came back at 94 % for "How big can an upload be?"), or a
 * script whose blocks (functions, `if`/`fi`, loops, `case`) indent their bodies, which
 * nested-lines.ts then shows closed around the lines kept (review s35 h3: a backup script with
 * functions came back at 94 %, the question unused). Its lines are read each as a unit, a continued
 * command or a here-document with its body one (parseSourceLines). A block written at the margin
 * stays whole: its lines cut out would leave a lone `fi` or an `if` never closed (re-read of
 * session 35, an unindented deploy script).
 */
const scriptLines = (language: string, source: string): boolean => language === 'shell' && shellBlocksIndented(source);

/** A line opening a block of shell whose body goes on the next lines (not `if x; then y; fi` on one). */
const SHELL_OPENER =
  /^\s*(?:(?:if|elif|else|for|while|until|case|select|function)\b|[^#]*(?:\bthen|\bdo|[{(])\s*(?:#.*)?$)/;
const SHELL_CLOSED_ON_LINE = /\b(?:fi|done|esac)\b|\}\s*;?\s*$/;

/** Whether every block of a shell text indents the lines under its opener (the others are at the margin alike). */
function shellBlocksIndented(source: string): boolean {
  const lines = source.split('\n');
  const indent = (l: string) => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!SHELL_OPENER.test(line) || (SHELL_CLOSED_ON_LINE.test(line) && !/[{(]\s*$/.test(line))) continue;
    if (/\\\r?$/.test(line)) continue;
    let k = i + 1;
    while (k < lines.length && !(lines[k] as string).trim()) k++;
    const next = lines[k];
    if (next !== undefined && indent(next) <= indent(line) && !/^\s*(?:then|do)\b/.test(next)) return false;
  }
  return true;
}

export async function runCodePathStage(state: PipelineState, plan: CompressPlan, ctx: StageContext) {
  const { timing, done } = openTiming(state, 'code-path', ctx.count);
  if (plan.domain !== 'code' || !plan.language) {
    done(state.text);
    state.result.notes.push('code-path: skipped (not code of a known language)');
    return;
  }
  if (plan.language === 'json' || plan.language === 'jsonl') {
    // JSON has no comments or unused code: the rules minified it (checked to parse the same).
    done(state.text);
    if (plan.budgetAsked && !plan.pipeline.includes(JSON_STRINGS))
      state.result.notes.push(
        `code-path: the ratio is not applied to JSON with json.strings off (asked ${(plan.ratio * 100).toFixed(0)} %): minified only`,
      );
    return;
  }
  if (plan.language === 'csv' || plan.language === 'tsv') {
    // A table's cells are data: a word taken out of one shifts nothing, but says something else.
    done(state.text);
    state.result.notes.push(
      `code-path: a table (${plan.language}): rows kept as written${plan.budgetAsked ? ` (the ratio asked, ${(plan.ratio * 100).toFixed(0)} %, is applied only with a query)` : ''}; a query selects the rows it needs`,
    );
    return;
  }
  if (plan.language === 'diff') {
    // A diff's lines are changes to code: a word or a line taken out of one says another change.
    // Read as prose before it was a diff, the pruner left `export function withinLimitsitems:`.
    done(state.text);
    // Here with a query, the plan read no unified diff in it (a text only named .diff): the
    // query went unsaid, the note saying "a query selects the lines".
    state.result.notes.push(
      plan.query !== undefined
        ? 'code-path: a diff: kept as written; the query was not used: no unified diff read in it (no file header over `@@ -a,b +c,d @@` hunks), so no line could be chosen'
        : `code-path: a unified diff: kept as written${plan.budgetAsked ? ` (the ratio asked, ${(plan.ratio * 100).toFixed(0)} %, is applied only with a query)` : ''}; a query selects the lines it needs, under their file and hunk headers`,
    );
    return;
  }
  if (plan.language === 'yaml' || plan.language === 'toml' || plan.language === 'ini') {
    // Its keys, values and comments are data for the app that reads it: only its prose strings
    // are compressed (json-strings), each on its own. A TOML or INI config alike: it had been "no
    // parser for toml: left as is", its prose strings never compressed.
    done(state.text);
    if (!plan.pipeline.includes(JSON_STRINGS))
      state.result.notes.push(
        `code-path: a ${plan.language.toUpperCase()} document: kept as written${plan.budgetAsked ? ` (the ratio asked, ${(plan.ratio * 100).toFixed(0)} %, is applied to its prose strings only with json.strings on)` : ''}`,
      );
    return;
  }
  // The path removes only comments (never a pragma or a deprecation), docstrings, blank lines and
  // unused private blocks. Past that, with a query the functions it needs stay whole and the others keep
  // their signature to the budget (code-select.ts); without one, only when a ratio or a budget was
  // asked, the bodies the module uses least go, each leaving its signature and docstring.
  const source = state.text;
  const pathOptions = {
    language: plan.language,
    originalTokens: plan.tokensBefore,
    protect: plan.protect.filter((p): p is string => typeof p === 'string'),
  };
  const budget = plan.maxTokens ?? Math.floor(plan.ratio * plan.tokensBefore);
  // With a query, comments and docstrings stay in what is kept whole; they go as before when no
  // body can be left out for the question.
  const withDocs =
    plan.query !== undefined ? await compressCodePath(source, { ...pathOptions, keepDocs: true }) : undefined;
  const attempt =
    withDocs && plan.query !== undefined && withDocs.tokensAfter > budget
      ? await selectCodeForQuery(withDocs.text, {
          language: plan.language,
          query: plan.query,
          budget,
          count: ctx.count,
          source,
        })
      : undefined;
  const chosen = attempt && !('skipped' in attempt) ? attempt : undefined;
  // With a question, a text whose functions could not be read has its lines selected as written, as
  // a document's, when it is no program: it does not parse as the language it was read as (a
  // Terraform plan read as JavaScript), or it is a language of lines (a config read as CSS, a
  // Dockerfile). Review, session 34: nginx.conf, a plan and a Dockerfile came back whole at 0.2, the
  // question unused. A program in a language without a body selection (Rust, Java) stays whole:
  // lines cut out of its functions would break them.
  const skipped = attempt && 'skipped' in attempt ? attempt : undefined;
  if (
    plan.query !== undefined &&
    skipped?.unread &&
    (skipped.unread === 'parse' || LINE_LANGUAGES.has(plan.language) || scriptLines(plan.language, source))
  ) {
    const query = plan.query;
    const script = plan.language === 'shell';
    const selectLines = (within: number) =>
      ctx.queryStage.run(source, query, {
        ...queryRunShared(plan, ctx, within),
        ...(within < budget ? { budgetAsked: budget } : {}),
        verbatim: true,
        ...(script ? { lines: true } : {}),
      });
    const first = await selectLines(budget);
    /** A selection's lines closed at the margin (unindented: indentation is what costs), when that fits. */
    const atMarginWithin = (kept: string) => {
      const margin = nestKeptLines(source, kept, { indent: false });
      return margin !== null && ctx.count(margin.text) <= budget ? margin : null;
    };
    // Shown as the file writes them: indented, inside the blocks that hold them, closed
    // (nested-lines.ts). What the blocks' lines cost over the budget is taken from the selection's
    // budget, twice at most; when that still does not fit, the smallest selection's lines closed at
    // the margin (indentation is what costs: nginx.conf at 0.2, 24 tokens indented, 19 not, for a
    // budget of 20, came back as the selection's `http {`, `server {`, `location /admin {` and one
    // `}`: re-read of session 35); when even that does not fit, the lines as selected, less a closer
    // whose opener is not among them.
    let lines = first;
    let nested = first.keptWhole ? null : nestKeptLines(source, first.text);
    let indented = true;
    let overBest = false;
    // The selection's budget `lines` came from (a retry's is smaller).
    let chosenWithin = budget;
    for (let within = budget, tries = 0; nested && tries < 3; tries++) {
      const over = ctx.count(nested.text) - budget;
      if (over <= 0) break;
      // A smaller budget that still holds what the selection spent brings the same lines back: it is
      // taken from what was spent then (backup.sh at 0.2 spent 44 of 47; three retries each 2 smaller
      // came back the same, and the margin form was shown, `pg_dump` out of its indentation for 2
      // tokens, where one line fewer kept it as written: session 38).
      const spent = ctx.count(lines.text);
      within = within - over < spent ? within - over : spent - over;
      if (tries === 2 || within <= 0) {
        const margin = atMarginWithin(lines.text);
        // A script's lines out of their blocks say another script (`exit 3` alone, out of the
        // `else` of a `status)` arm), and all its kept lines in their blocks were twice the budget:
        // its most relevant line alone stays in its blocks then, over the budget if it must.
        const alone = !margin && script && first.best !== undefined ? nestKeptLines(source, first.best) : null;
        if (alone) {
          lines = first;
          nested = alone;
          overBest = ctx.count(alone.text) > budget;
          break;
        }
        indented = false;
        nested = margin;
        if (!nested) lines = first;
        break;
      }
      const retry = await selectLines(within);
      // A smaller budget never costs the most relevant line: a script's answer is one line, and the
      // retries left `pg_dump --format=custom ...` out for the header comment (review s35 h3, backup.sh
      // at 0.2). The first selection's nested form is kept over the budget then, and said to be.
      if (first.best !== undefined && !retry.text.includes(first.best)) {
        // Its most relevant line alone in its blocks, when that fits, the room left given back below:
        // the whole overflow off the budget left 1 token, the retry kept `start` alone, and the first
        // selection was shown at twice the budget, its cheap lines each in their blocks (`exit 1` in
        // `prepare() {` and its `if`) beside the `--concurrency` asked for (worker.sh at 0.2, s39).
        const alone = nestKeptLines(source, first.best);
        if (alone && ctx.count(alone.text) <= budget) {
          lines = retry;
          nested = alone;
          chosenWithin = within;
          break;
        }
        const margin = atMarginWithin(first.text);
        lines = first;
        nested = margin ?? nestKeptLines(source, first.text);
        indented = margin === null;
        overBest = margin === null;
        break;
      }
      lines = retry;
      chosenWithin = within;
      nested = lines.keptWhole ? null : nestKeptLines(source, lines.text);
      if (!nested) lines = first;
    }
    // A retry took the blocks' whole cost off the selection's budget, but its lines share openers
    // and closers: deploy.sh 'Which registry are the images pushed to?' at 0.2 came back at 39 of 59
    // tokens without the `REGISTRY=...` line it asked for, which 0.1 kept (re-read of session 37).
    // The room left is given back: the largest budget between the retry's and the room's whose lines
    // still fit in their blocks (halving, three selections at most), the most relevant line kept.
    if (nested && indented && !overBest && lines !== first) {
      let lo = chosenWithin;
      let hi = chosenWithin + budget - ctx.count(nested.text);
      for (let step = 0; step < 3 && hi > lo; step++) {
        const within = step === 0 ? hi : Math.ceil((lo + hi) / 2);
        const again = await selectLines(within);
        const more = again.keptWhole ? null : nestKeptLines(source, again.text);
        if (more && ctx.count(more.text) <= budget && (first.best === undefined || again.text.includes(first.best))) {
          if (ctx.count(more.text) > ctx.count(nested.text)) {
            lines = again;
            nested = more;
          }
          lo = within;
        } else hi = within - 1;
      }
    }
    // The lines setting what the shown lines read, when they fit (setting-lines.ts): the value a
    // kept flag uses (`WORKERS="${WORKERS:-8}"` under `--concurrency "$WORKERS"`).
    const valued =
      nested && !overBest
        ? withSettingLines(source, nested.text, { indent: indented, fits: (t) => ctx.count(t) <= budget })
        : null;
    if (nested && valued) nested = { text: valued.text, added: nested.added };
    if (lines.densePending) state.result.densePending = true;
    const text = done(nested?.text ?? withoutUnopenedClosers(lines.text));
    accept(state, 'code-path', text, timing.tokensOut, [
      `code-path: no function could be read (${skipped.skipped}): lines selected for the query as written${nested?.added ? `, ${indented ? 'indented' : 'at the margin'}, with the ${nested.added} line${nested.added === 1 ? '' : 's'} opening or closing their blocks` : ''}`,
      ...lines.notes,
      ...(overBest
        ? [
            `code-path: the lines kept with those opening and closing their blocks are over the budget (${ctx.count(text)} of ${budget} tokens): kept, as lines out of their blocks would read as another script (a larger --ratio or --max-tokens keeps more)`,
          ]
        : []),
    ]);
    return;
  }
  const r =
    withDocs && (chosen || withDocs.tokensAfter <= budget) ? withDocs : await compressCodePath(source, pathOptions);
  const unasked =
    plan.query === undefined && plan.budgetAsked && r.tokensAfter > budget
      ? await selectWithoutQuery(source, r.text, pathOptions, budget, ctx)
      : undefined;
  const selected = chosen ?? (unasked && !('skipped' in unasked) ? unasked : undefined);
  const text = done(selected?.text ?? r.text);
  accept(state, 'code-path', text, timing.tokensOut, r.notes);
  if (selected) {
    state.result.notes.push(`code-path: ${codeSelectionNote(selected, plan, budget)}`);
    return;
  }
  // Why, as the selection says: an unsupported language, code that does not parse, no body long
  // enough, only the best match's (re-read of session 30: every case read "no body long enough").
  if (skipped)
    state.result.notes.push(
      `code-path: the query was not used: ${skipped.skipped}; only comments, docstrings, blank lines and unused blocks are removed`,
    );
  // Over the budget asked: what was removed, and why no body was (without a query: unasked's reason).
  if (plan.budgetAsked && r.tokensAfter > budget)
    state.result.notes.push(
      `code-path: ${plan.maxTokens !== undefined ? `the budget is not met (asked ${plan.maxTokens} tokens)` : `the ratio is not met (asked ${(plan.ratio * 100).toFixed(0)} %)`}; kept ${((state.tokens / Math.max(1, plan.tokensBefore)) * 100).toFixed(0)} % of the original's tokens, removing only comments, docstrings, blank lines and unused blocks${unasked && 'skipped' in unasked ? `; no body was left out: ${unasked.skipped}` : ''}`,
    );
}

/**
 * Without a query, a ratio asked of code: the bodies the module uses least left out, their
 * docstrings kept (code-select.ts), on the code with its docstrings, else on the stripped code
 * when that alone meets the budget where the docstrings do not.
 */
async function selectWithoutQuery(
  source: string,
  /** The code path's stripped output, already made: not made again. */
  stripped: string,
  pathOptions: Parameters<typeof compressCodePath>[1],
  budget: number,
  ctx: StageContext,
): Promise<(CodeSelection & { docs: boolean }) | CodeSkipped> {
  const language = pathOptions.language;
  const withDocs = await compressCodePath(source, { ...pathOptions, keepDocs: true });
  const first = await selectCodeForQuery(withDocs.text, { language, budget, count: ctx.count });
  if ('skipped' in first) return first;
  if (first.tokens <= budget) return { ...first, docs: true };
  const second = await selectCodeForQuery(stripped, { language, budget, count: ctx.count });
  return 'skipped' in second || second.tokens >= first.tokens ? { ...first, docs: true } : { ...second, docs: false };
}

/** What a selection of code kept whole, what it showed as signatures, and a budget it could not meet. */
function codeSelectionNote(selected: CodeSelection & { docs?: boolean }, plan: CompressPlan, budget: number): string {
  const names = (list: readonly string[]) =>
    list.length > 6 ? `${list.slice(0, 6).join(', ')} and ${list.length - 6} more` : list.join(', ');
  const asked = plan.query !== undefined;
  const bodies = (n: number) =>
    n === 1 ? 'the body of 1 function or method' : `the bodies of ${n} functions and methods`;
  const parts = [
    asked
      ? `for the query, ${bodies(selected.signatures.length)} left out, their signatures kept (${names(selected.signatures)})`
      : `for the ratio, ${bodies(selected.signatures.length)} the module uses least left out, their signatures${selected.docs ? ' and doc comments' : ''} kept (${names(selected.signatures)})${selected.docs ? '' : '; comments and docstrings removed, as the budget did not hold them'}`,
  ];
  if (selected.whole.length)
    parts.push(`kept whole as the ${asked ? 'most relevant' : 'most used'}: ${names(selected.whole)}`);
  // Under maxTokens the over-cap note says it (overCapReason).
  if (selected.tokens > budget && plan.maxTokens === undefined)
    parts.push(
      `kept ${Math.round((100 * selected.tokens) / Math.max(1, plan.tokensBefore))} % of the tokens (asked ${Math.round(plan.ratio * 100)} %): the signatures, imports and module-level code are more than that`,
    );
  return parts.join('; ');
}

/**
 * A model stage: its output is checked, and a refused output stops the pipeline at what came
 * before ('stop'). Model stages are alternatives in order of preference (the classifier before the
 * pruner): once one has compressed the text, the later ones do not compress it again.
 */
export async function runModelStep(
  state: PipelineState,
  plan: CompressPlan,
  stage: string,
  ctx: StageContext,
): Promise<'next' | 'stop'> {
  const { timing, done, s0 } = openTiming(state, stage, ctx.count);
  const { result } = state;
  if (!ctx.config.models[stage]) return 'next';
  if (result.model !== null) {
    done(state.text);
    timing.skipped = true;
    result.notes.push(`${stage}: skipped (${state.used.at(-1)} already compressed this text)`);
    return 'next';
  }
  const outcome = await runModelStage({
    stage,
    config: ctx.config,
    models: ctx.models,
    count: ctx.count,
    text: state.text,
    tokens: state.tokens,
    tokensBefore: plan.tokensBefore,
    domain: plan.domain,
    ratio: plan.ratio,
    ...(plan.maxTokens !== undefined ? { maxTokens: plan.maxTokens } : {}),
    protect: plan.protect,
    ...(plan.question ? { question: plan.question } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    timing,
  });
  timing.ms = performance.now() - s0;
  if (outcome.kind === 'skipped') {
    timing.skipped = true;
    result.notes.push(outcome.note);
    return 'next';
  }
  if (outcome.kind === 'refused') {
    timing.refused = true;
    result.fallback = outcome.fallback;
    // A model that is not there is no verdict on the text: the next model stage may run. It is said
    // with the stage that runs, or at the end: a note a stage was noise on every run without the
    // first models (review: "classifier: no model file ...; trying the next stage", then the same
    // for the compressor, before the pruner ran).
    if (outcome.fallback.reason !== 'no-model') {
      result.notes.push(`${stage}: ${refusedShare(state, plan)}`);
      return 'stop';
    }
    state.noModel = [...(state.noModel ?? []), { stage, detail: outcome.fallback.detail }];
    return 'next';
  }
  accept(state, stage, outcome.text, timing.tokensOut, []);
  result.model = outcome.model;
  result.fallback = null;
  const skipped = state.noModel?.length ? `; skipped: ${skippedModels(state.noModel)}` : '';
  state.noModel = [];
  result.notes.push(`${stage}: ran (${outcome.model})${skipped}`);
  if (outcome.note) result.notes.push(outcome.note);
  return 'next';
}

/**
 * The model stages passed over for want of their file, in one line: "classifier, compressor (no
 * model file in /models)", one path when they share a folder; each with its own reason otherwise.
 */
function skippedModels(skipped: readonly { stage: string; detail: string }[]): string {
  const paths = skipped.map((s) => /^no model file at (.+)$/.exec(s.detail)?.[1]);
  const stages = skipped.map((s) => s.stage).join(', ');
  if (paths.every((p) => p !== undefined)) {
    if (paths.length === 1) return `${stages} (no model file at ${paths[0]})`;
    const dirs = new Set(paths.map((p) => dirname(p as string)));
    if (dirs.size === 1) return `${stages} (no model file in ${[...dirs][0]})`;
  }
  return skipped.map((s) => `${s.stage} (${s.detail})`).join(', ');
}

/**
 * The model stages passed over and not said yet, said at the end of the pipeline: when none ran,
 * with what the result is ("no model stage ran: the result is the rules' output; skipped: ..."),
 * or when one ran but its output was refused (the fallback says that).
 */
export function noteSkippedModels(state: PipelineState): void {
  if (!state.noModel?.length) return;
  const none = state.result.model === null && state.result.fallback?.reason === 'no-model';
  const what =
    state.used.join('+') === 'rules' ? "the rules' output" : `the output of ${state.used.join('+') || 'no stage'}`;
  state.result.notes.push(
    `${none ? `no model stage ran: the result is ${what}; ` : ''}skipped: ${skippedModels(state.noModel)}`,
  );
  state.noModel = [];
}

/**
 * What a refused model stage leaves: the text of the stages before it, and how far that is from
 * what was asked (review 3: a timetable came back at 94 % for 0.5, the note saying only that the
 * model's output was not used).
 */
function refusedShare(state: PipelineState, plan: CompressPlan): string {
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const stages = state.used.join('+') || 'none';
  const asked =
    plan.maxTokens !== undefined
      ? `${state.tokens} tokens (maxTokens ${plan.maxTokens})`
      : `kept ${pct(state.tokens / Math.max(1, plan.tokensBefore))} of the tokens (asked ${pct(plan.ratio)})`;
  return `its output was not used; the result is what the stages before it left (${stages}): ${asked}`;
}

/**
 * A result over the caller's maxTokens, said with why: the words a model stage never cuts out of what
 * it keeps (names, numbers, dates) and the markup it keeps whole can be more than a small budget holds, a model can write more
 * than asked, and the rules and the code path take out only what they can prove is not needed.
 * The output is not cut: a cut would take what a stage kept on purpose.
 */
export function noteOverCap(state: PipelineState, plan: CompressPlan, ctx: StageContext): void {
  if (plan.maxTokens === undefined || state.tokens <= plan.maxTokens) return;
  const last = state.used.at(-1) ?? 'none';
  // Selection says so itself (its most relevant unit alone was over the budget).
  if (last === 'select') return;
  const why = overCapReason(ctx.config.models[last]?.kind, plan, state.result.fallback);
  state.result.notes.push(`${last}: ${state.tokens} tokens, over maxTokens ${plan.maxTokens}: ${why}`);
}

/** Why the last stage (a model of this kind, or none) left the text over the cap. */
function overCapReason(kind: string | undefined, plan: CompressPlan, fallback: CompressResult['fallback']): string {
  if (kind === 'generate') return 'the model wrote more than the cap';
  // What a model stage protects is words inside what it keeps, not every name: the note had read
  // "names ... kept whole" over a result whose patient's name had gone with its line (review 3).
  if (kind === 'prune')
    return 'the words it never cuts out of a line it keeps (capitalised names, numbers, dates, allergies, negations) and the markup it keeps whole do not fit under it; whole lines, names in them, may still go';
  if (kind !== undefined)
    return 'the words it never cuts out of what it keeps (capitalised names, numbers, dates) do not fit under it';
  if (plan.unparsed)
    return `the YAML does not parse (line ${plan.unparsed.line}: ${plan.unparsed.reason}): kept as written`;
  const data: Record<string, string> = {
    json: 'a JSON',
    jsonl: 'a JSON Lines',
    yaml: 'a YAML',
    toml: 'a TOML',
    ini: 'an INI',
  };
  const document = data[plan.language ?? ''];
  if (document)
    return `${document} document: only its prose strings are compressed; keys, numbers and short values${plan.language === 'json' || plan.language === 'jsonl' ? '' : ' and comments'} are kept`;
  if (plan.language === 'csv' || plan.language === 'tsv') return 'a table is kept as written without a query';
  // Not "where nothing is lost": a docstring may hold the rules a module keeps (review 4).
  if (plan.domain === 'code')
    return plan.query !== undefined
      ? 'code is cut only by whole comments, docstrings, blank lines, unused blocks and, for the query, the bodies of the functions it needs least: what is left (signatures, imports, module-level code, the best match whole) is more than that'
      : 'code is cut only by whole comments, docstrings, blank lines and unused blocks (a docstring may hold what a reader needs; with a query, the bodies of the functions it needs least go instead)';
  const model = !fallback
    ? 'no model stage ran'
    : fallback.reason === 'no-model'
      ? 'no model stage has its model file'
      : `the model stage's output was refused (${fallback.reason})`;
  return `${model}, and the rules take out only fillers`;
}
