import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { selectForQuery } from './select.ts';

/** A team roster in a document: the question names a value of one row ("Jan 19"). */
const ROSTER = [
  '# Platform team roster (Q1 2027)',
  '',
  'Updated by Priya on 2 Dec. On-call swaps go through #platform-oncall.',
  '',
  '| Name | Role | Location | On-call week | Skills | Notes |',
  '|------|------|----------|--------------|--------|-------|',
  '| Priya Raman | Engineering manager | Lisbon | — | people, planning | Approves leave and on-call swaps |',
  '| Tomás Ferreira | Senior SRE | Porto | Jan 5 | Kubernetes, Terraform, Postgres | Primary for the database fleet |',
  '| Hannah Weiss | SRE | Berlin | Jan 12 | Kubernetes, Prometheus | On parental leave from Feb 1 to Apr 30 |',
  '| Kofi Mensah | Platform engineer | Remote (Accra) | Jan 19 | Go, CI/CD, Argo CD | Owns the deploy pipeline |',
  '| Laura Sánchez | Platform engineer | Madrid | Jan 26 | Terraform, AWS networking | Backup approver for AWS accounts |',
  '| Yuki Tanaka | SRE | Remote (Osaka) | Feb 2 | Observability, Grafana | Not on call during Golden Week |',
  '| Marco Bianchi | Security engineer | Milan | — | IAM, Vault, audits | Contact for secrets rotation |',
  '| Aisha Bello | Junior SRE | Lisbon | Feb 9 | Linux, Bash, Ansible | Shadowing Tomás until end of January |',
].join('\n');

describe("a document's Markdown table: a row holding a value the question names first (review h3 finding 5)", () => {
  let count: TokenCounter;
  beforeAll(async () => {
    count = await o200kCounter();
  });
  it('keeps the row of the week the question names, with the header row', async () => {
    // Before: ranked as prose lines, Yuki's row ("Not on call during Golden Week") came first.
    const r = await selectForQuery(ROSTER, { query: 'Who is on call the week of Jan 19?', budget: 70, count });
    expect(r.text).toContain('| Kofi Mensah |');
    // The title, the whole header and the row are 73 tokens: cut to the columns the question needs
    // (document-tables.ts), under their header row, within the 70 (before: kept over the budget).
    expect(r.text).toContain('| Name | On-call week |\n|------|--------------|\n| Kofi Mensah | Jan 19 |');
    expect(r.tokens).toBeLessThanOrEqual(70);
    expect(r.text).not.toContain('| Yuki Tanaka |');
    expect(r.text).not.toContain('Jan 26');
  });
  it('leaves a value the question negates to negated-values.ts', async () => {
    const r = await selectForQuery(ROSTER, { query: 'Who is not based in Lisbon?', budget: 70, count });
    expect(r.text).not.toContain('| Priya Raman |');
    expect(r.text).not.toContain('| Aisha Bello |');
  });
});
