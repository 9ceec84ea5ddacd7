import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../tokenizers/o200k-counter.ts';
import { boldTitleSpans } from './bold-titles.ts';
import { compressWithRules } from './rules/index.ts';
import { flatPruneResult } from './strategies/pruned/testing/flat-prune.ts';

// Review 4 (F-07, F-16): a terms of service without a question, `--ratio 0.5`: every `**7.1 Plans.**`
// lost its `**` (the Markdown rules unwrap bold), and `**8.3 Refunds — annual plans.**` came back
// `8.3 Refunds`: the clause then promised a refund on any renewal.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const POLICY = [
  '## 4. Returns',
  '',
  '**4.1 Returns — online orders.** Items bought on the website can be returned within 30 days of delivery for a full refund, provided they are unused and in their original packaging, and the return label printed from your account is used.',
  '',
  '**4.2 Returns — store purchases.** Items bought in one of our stores can be exchanged within 14 days with the receipt, but they are not refunded in cash or to the card that paid for them.',
  '',
  '**4.3 Sale items.** Items bought at a reduced price during a seasonal sale cannot be returned or exchanged unless they arrive damaged, in which case we replace them free of charge.',
  '',
  'A paragraph with **bold words** inside it says nothing of a title.',
].join('\n');

describe('a bold title opening a paragraph (review 4, F-07, F-16)', () => {
  it('is found at the start of a line only, markers included, up to twelve words', () => {
    const spans = boldTitleSpans(POLICY).map((s) => POLICY.slice(s.start, s.end));
    expect(spans).toEqual([
      '**4.1 Returns — online orders.**',
      '**4.2 Returns — store purchases.**',
      '**4.3 Sale items.**',
    ]);
    expect(
      boldTitleSpans('**One two three four five six seven eight nine ten eleven twelve thirteen.** Body.'),
    ).toEqual([]);
  });

  it('keeps its bold through the Markdown rules, which unwrap bold elsewhere', async () => {
    const r = await compressWithRules(POLICY, { domain: 'nl' });
    expect(r.text).toContain('**4.1 Returns — online orders.**');
    expect(r.text).toContain('**4.3 Sale items.**');
    expect(r.text).toContain('A paragraph with bold words inside');
  });

  it('is kept whole by the pruner, as a Markdown heading is', () => {
    for (const ratio of [0.5, 0.33]) {
      const r = flatPruneResult(POLICY, ratio, o200k);
      expect(r.text, `${ratio}`).toContain('**4.1 Returns — online orders.**');
      expect(r.text, `${ratio}`).toContain('**4.2 Returns — store purchases.**');
      expect(r.text, `${ratio}`).toContain('**4.3 Sale items.**');
    }
  });
});
