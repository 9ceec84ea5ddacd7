import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { listIntros, parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';

/** An API page: the "Example:" label introduces a request the question does not need. */
const PAGE = [
  '# Invoices API',
  '',
  '## POST /invoices',
  '',
  'Creates an invoice and returns its PDF link.',
  '',
  '| Parameter | Type | Default | Description |',
  '|---|---|---|---|',
  '| `currency` | string | `EUR` | ISO 4217 code |',
  '| `due_days` | integer | `30` | Days until the invoice is due |',
  '| `language` | string | `en` | Language of the PDF |',
  '',
  'Example:',
  '',
  '```bash',
  'curl -X POST https://api.example.com/v1/invoices \\',
  '  -H "Authorization: Bearer $KEY" \\',
  '  -d customer=cus_123 -d currency=EUR -d due_days=14 -d language=de',
  '```',
  '',
  'The PDF link expires after 30 days.',
].join('\n');

describe('a label over a code block (review 3 F-24: "Example:" kept, its block not)', () => {
  it('reads a line ending with a colon over a fenced block as the intro of that block', () => {
    const m = parseMemory(PAGE);
    const label = m.units.find((u) => u.text === 'Example:')?.index as number;
    expect(
      listIntros(m)
        .get(label)
        ?.map((i) => m.units[i]?.text.slice(0, 7)),
    ).toEqual(['```bash']);
  });

  describe('selectForQuery', () => {
    let count: TokenCounter;
    beforeAll(async () => {
      count = await o200kCounter();
    });

    it('keeps the label with its block or not at all', async () => {
      for (const budget of [50, 60, 70, 80, 90]) {
        const r = await selectForQuery(PAGE, {
          query: 'What is the default currency of an invoice?',
          budget,
          count,
          style: 'telegraphic',
        });
        if (r.text.includes('Example:')) expect(r.text, String(budget)).toContain('curl -X POST');
      }
    });
  });
});
