import { describe, expect, it } from 'vitest';
import { LabelFilterSchema, VerdictFilterSchema } from '../src/contracts/view.ts';
import { STRATEGY_NAMES } from '../src/generation/strategies/index.ts';
import { PULLABLE_MODELS as PULL_TARGETS } from '../src/inference/models-pull.ts';
import { ExportKindSchema } from '../src/io/export.ts';
import { TOKENIZER_IDS } from '../src/tokenizers/index.ts';
import {
  EXPORT_KIND_CHOICES,
  LABEL_FILTER_CHOICES,
  PULLABLE_MODELS,
  STRATEGY_CHOICES,
  TOKENIZER_CHOICES,
  VERDICT_FILTER_CHOICES,
} from './choices.ts';

describe('the help text lists match the schemas they mirror', () => {
  it('tokenizers, export kinds, strategies, Pairs page verdict and label filters', () => {
    expect([...TOKENIZER_CHOICES]).toEqual([...TOKENIZER_IDS]);
    expect([...EXPORT_KIND_CHOICES]).toEqual([...ExportKindSchema.options]);
    expect([...STRATEGY_CHOICES]).toEqual([...STRATEGY_NAMES]);
    expect([...VERDICT_FILTER_CHOICES]).toEqual([...VerdictFilterSchema.options]);
    expect([...LABEL_FILTER_CHOICES]).toEqual([...LabelFilterSchema.options]);
  });

  it('the models `studio models pull` offers are the ones the Models page button pulls', () => {
    expect([...PULLABLE_MODELS]).toEqual([...PULL_TARGETS]);
  });
});
