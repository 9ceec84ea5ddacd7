import type { Domain } from '../contracts/source.ts';
import { InputError } from '../errors/index.ts';
import { classifyDomain } from '../generation/domain.ts';
import { locateJsonError } from '../io/json-error.ts';
import type { TokenCounter } from '../tokenizers/o200k-counter.ts';
import { configError } from '../util/config-source.ts';
import { firstBrokenLine, parseJsonLines } from '../util/json-lines.ts';
import { parseTable } from '../util/table-source.ts';
import { isUnifiedDiff } from '../util/unified-diff.ts';
import { yamlError } from '../util/yaml-source.ts';
import type { CompressOptions } from './compress-types.ts';
import type { InferenceConfig } from './config.ts';
import { parseConfigMemory, parseJsonMemory, parseYamlMemory } from './query/json-memory.ts';
import { isTranscript } from './query/memory-units.ts';
import { hasWordToSelectBy } from './query/query-cues.ts';

/** The stage that compresses a JSON document's long string values (compress-json.ts). */
export const JSON_STRINGS = 'json-strings';

/** The stage that compresses a subtitle transcript without a query, cue by cue (transcript-cues.ts). */
export const CUES = 'cues';

/** What one call will do, decided before any stage runs: the domain, the stages and the budget. */
export interface CompressPlan {
  domain: Domain;
  language: string | null;
  /** The query, trimmed; undefined: no query-aware selection. */
  query: string | undefined;
  pipeline: string[];
  /** Kept fraction of o200k tokens (from `maxTokens` when the caller gave a budget). */
  ratio: number;
  maxTokens: number | undefined;
  /** The caller asked for a ratio or a budget (the code path then says it does not apply one). */
  budgetAsked: boolean;
  tokensBefore: number;
  protect: readonly (string | RegExp)[];
  question: string | undefined;
  /** The model the caller asked for (a name, "none"), for the calls a stage makes of its own. */
  model: string | undefined;
  /** What the plan decided against the caller's options (a query it will not select by, and why): the result's first notes. */
  notes: string[];
  /** A YAML document that does not parse: kept as written, whatever the budget (the over-budget note says so). */
  unparsed?: { line: number; reason: string };
}

/** The stages that are no model: the rules, the code path, query selection and a JSON document's strings. */
const NOT_MODEL = new Set(['rules', 'code-path', 'select', JSON_STRINGS, CUES]);
export const isModelStage = (stage: string) => !NOT_MODEL.has(stage);

/** The domain's configured stages, with the model the caller asked for (or none) in place of the model stages. */
export function pipelineFor(config: InferenceConfig, domain: Domain, model: string | undefined): string[] {
  const stages = config.pipelines[domain];
  if (model === undefined) return [...stages];
  if (model === 'none') return stages.filter((s) => !isModelStage(s));
  if (!config.models[model])
    throw new InputError(
      `unknown model "${model}": configured are ${Object.keys(config.models).join(', ') || 'none'} (or "none")`,
      { field: 'model' },
    );
  // The first model stage becomes the model asked for; the other model stages (alternatives) go.
  const replaced = stages
    .map((s) => (isModelStage(s) ? model : s))
    .filter((s, i, all) => s !== model || all.indexOf(s) === i);
  return replaced.includes(model) ? replaced : [...replaced, model];
}

export function planCompression(
  config: InferenceConfig,
  text: string,
  options: CompressOptions,
  count: TokenCounter,
): CompressPlan {
  // The classifier runs unless the caller said both what the text is and (for code) its language.
  const needsLanguage = options.language === undefined && (options.domain === 'code' || options.domain === 'mixed');
  // A subtitle transcript (WebVTT, SRT) is dialogue with timings: read as code it was left whole.
  const transcript = isTranscript(text) && (options.domain === undefined || options.domain === 'chat');
  const classified =
    (!options.domain || needsLanguage) && !transcript
      ? classifyDomain(text, options.path !== undefined ? { path: options.path } : {})
      : undefined;
  const domain = options.domain ?? (transcript ? 'chat' : (classified?.domain ?? 'nl'));
  const language = options.language !== undefined ? options.language : (classified?.language ?? null);
  const notes: string[] = [];
  const query = usableQuery(options.query, notes);
  // With a query, prose and dialogue are selected from, and a JSON or YAML memory's records or a
  // table's rows; code keeps its own path.
  const selecting =
    query !== undefined &&
    (domain !== 'code' ||
      parseJsonMemory(text, { lenient: language === 'json' }) !== null ||
      parseJsonLines(text) !== null ||
      parseTable(text) !== null ||
      transcript ||
      (language === 'diff' && isUnifiedDiff(text)) ||
      (language === 'yaml' && parseYamlMemory(text) !== null) ||
      ((language === 'toml' || language === 'ini') && parseConfigMemory(text, language) !== null));
  // JSON a query would select from, but that does not parse even read past its faults (a cut
  // string, single quotes): kept as written by the rules, which name where it breaks; the query
  // must not vanish unsaid.
  if (
    query !== undefined &&
    !selecting &&
    (language === 'json' || language === 'jsonl') &&
    (language === 'jsonl' ? firstBrokenLine(text) !== null : locateJsonError(text) !== undefined)
  )
    notes.push(
      `select: the query was not used: the ${language === 'jsonl' ? 'JSON lines do' : 'JSON does'} not parse (see the note below), so no record could be chosen`,
    );
  // YAML likewise (review: an over-indented line kept the whole document over the budget, the query
  // unsaid, and the over-budget note blamed the prose strings).
  const unparsed = language === 'yaml' && !selecting ? yamlError(text) : undefined;
  if (query !== undefined && unparsed)
    notes.push(
      `select: the query was not used: the YAML does not parse (line ${unparsed.line}: ${unparsed.reason}), so no record could be chosen; kept as written`,
    );
  // TOML and INI likewise: a config that does not read had the query dropped unsaid.
  const unread =
    query !== undefined && !selecting && (language === 'toml' || language === 'ini')
      ? configError(text, language)
      : undefined;
  if (unread)
    notes.push(
      `select: the query was not used: the ${language?.toUpperCase()} does not parse (line ${unread.line}: ${unread.reason}), so no record could be chosen; kept as written`,
    );
  const tokensBefore = count(text);
  const budgetAsked = options.ratio !== undefined || options.maxTokens !== undefined;
  // The default selection budget has a floor: a short memory (a profile of a dozen facts) is not
  // worth cutting to a tenth.
  const floor = selecting && !budgetAsked ? config.query.minTokens : 0;
  const maxTokens =
    options.maxTokens ?? (floor > config.query.ratio * tokensBefore ? Math.min(floor, tokensBefore) : undefined);
  if (maxTokens !== undefined && options.maxTokens === undefined)
    notes.push(
      `select: a budget of ${maxTokens.toLocaleString('en-US')} tokens (query.minTokens ${floor.toLocaleString('en-US')}), over the default ratio's ${Math.floor(config.query.ratio * tokensBefore).toLocaleString('en-US')}`,
    );
  const ratio =
    maxTokens !== undefined
      ? Math.min(1, maxTokens / Math.max(1, tokensBefore))
      : (options.ratio ?? (selecting ? config.query.ratio : config.ratio));
  // A JSON (or YAML) document's long strings are prose of their own: compressed one by one, the
  // document kept whole.
  const jsonStrings =
    !selecting &&
    domain === 'code' &&
    (language === 'json' || language === 'jsonl' || language === 'yaml' || language === 'toml' || language === 'ini') &&
    config.json.strings;
  return {
    domain,
    language,
    query,
    pipeline: selecting
      ? ['select']
      : transcript
        ? [CUES]
        : [...pipelineFor(config, domain, options.model), ...(jsonStrings ? [JSON_STRINGS] : [])],
    ratio,
    maxTokens,
    budgetAsked,
    tokensBefore,
    protect: options.protect ?? [],
    question: options.question,
    model: options.model,
    notes,
    ...(unparsed ? { unparsed } : {}),
  };
}

/**
 * The query to select by, trimmed; undefined when there is none or it has no word to rank by: a
 * follow-up such as "Ok?", "Why?" or "Tell me more" would otherwise cut a memory to its budget by
 * nothing but chance, so such a call compresses as one without a query and says so.
 */
function usableQuery(raw: string | undefined, notes: string[]): string | undefined {
  const query = raw?.trim() || undefined;
  if (query === undefined || hasWordToSelectBy(query)) return query;
  const shown = query.length > 40 ? `${query.slice(0, 40)}...` : query;
  notes.push(`select: the query "${shown}" has no word to select by; compressed without it`);
  return undefined;
}
