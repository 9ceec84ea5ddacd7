/**
 * The value lists the help text names, as plain arrays: the schemas they mirror live in modules
 * that load zod and the store, which `studio --help` must not pay for. choices.test.ts checks
 * each list against its schema, so they cannot drift apart.
 */
export const TOKENIZER_CHOICES = ['o200k', 'cl100k', 'claude', 'gemini'] as const;
export const EXPORT_KIND_CHOICES = ['pairs', 'labels', 'verdicts', 'sources'] as const;
export const IMPORT_FORMAT_CHOICES = ['auto', 'jsonl', 'csv', 'tsv', 'json', 'text', 'folder'] as const;
export const STRATEGY_CHOICES = ['rules', 'prompted', 'pruned', 'classified'] as const;
export const PULLABLE_MODELS = ['pruner', 'minilm'] as const;
export const VERDICT_FILTER_CHOICES = [
  'all',
  'failures',
  'passes',
  'judge-errors',
  'models-disagree',
  'unvalidated',
] as const;
export const LABEL_FILTER_CHOICES = ['all', 'unlabelled', 'approve', 'reject', 'edit', 'skip', 'disagree'] as const;
