import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { useMiniLMCompressor } from '../testing/minilm-compressor.ts';
import { asksProhibition, raiseProhibitions } from './prohibitions.ts';
import { selectForQuery } from './select.ts';

let count: TokenCounter;
beforeAll(async () => {
  count = await o200kCounter();
});

describe('asksProhibition', () => {
  it('reads a question about what must not, should not or will not be done', () => {
    for (const q of [
      'Which bucket must not get the new lifecycle rules, and why?',
      'When do the movers come and what must I not pack?',
      "What does Jon tell Gina he won't do?",
      "What shouldn't I say to a customer about refunds?",
      'What are we not allowed to deploy on Fridays?',
      'Which drugs cannot be given to Camille?',
    ])
      expect(asksProhibition(q), q).toBe(true);
  });

  it('leaves a negation that restricts what is asked, or an inverted one asking a cause, alone', () => {
    for (const q of [
      "What are John's goals for his career that are not related to his basketball skills?",
      'Which services are NOT on Kubernetes?',
      "Why didn't the Kubernetes deploy work?",
      'Where did Caroline move from?',
      "Don't the crates come on Wednesday?",
      // A past or a negated "be" / "have" asks what happened, no rule (review of the session).
      'What did you not like about the hotel?',
      "What didn't Jon like about the trip?",
      'Which bucket was never given lifecycle rules?',
      'Which countries has Jon never visited?',
    ])
      expect(asksProhibition(q), q).toBe(false);
  });
});

// A standup's captions: the log bucket's cue names the question's words ("bucket", "lifecycle
// rules", even "never"), the audit bucket's cue is the rule asked for.
const STANDUP = [
  'WEBVTT',
  '',
  '13',
  '00:01:24.700 --> 00:01:27.100',
  '<v Hannah Berg>Right, exactly.',
  '',
  '14',
  '00:01:27.600 --> 00:01:39.800',
  '<v Kofi Mensah>Third thing, the S3 bill. It went up 38 percent last month, mostly from the log bucket. Lifecycle rules were never applied to it.',
  '',
  '15',
  '00:01:40.200 --> 00:01:48.000',
  "<v Hannah Berg>Let's move logs older than 30 days to Glacier and delete after 400 days. But don't touch the audit bucket, legal needs seven years there.",
  '',
  '16',
  '00:01:48.500 --> 00:01:51.200',
  '<v Tomás Ruiz>Makes sense.',
].join('\n');

/** A Slack channel's export (as the review sent it, less its reactions). */
const SLACK = JSON.stringify(
  [
    {
      user_name: 'alina.petrova',
      text: 'Heads up: the Berlin office move is confirmed for *Saturday 7 December*. Movers arrive 08:00.',
      ts: '1730970000.000100',
    },
    { user_name: 'ben.okoro', text: 'Do we need to pack our desks ourselves?', ts: '1730970300.000200' },
    {
      user_name: 'alina.petrova',
      text: 'Yes, crates are delivered Wednesday 4 Dec. Label each one with your name and new desk number. Monitors and docks stay, do NOT pack them, IT moves those.',
      ts: '1730970600.000300',
    },
    { user_name: 'chiara.rossi', text: 'What about the plants in the kitchen? :seedling:', ts: '1730970900.000400' },
    {
      user_name: 'alina.petrova',
      text: 'Plants go with the movers, but the fridge must be empty by Friday 6 Dec at 15:00. Anything left gets thrown away.',
      ts: '1730971200.000500',
    },
    {
      user_name: 'david.lim',
      text: 'lol the fridge has been a science experiment since August',
      ts: '1730971500.000600',
    },
    {
      user_name: 'chiara.rossi',
      text: 'Reminder: the new address is Lohmühlenstraße 65, 12435 Berlin, 3rd floor. Old badges will NOT work there; new badges are handed out on Monday 9 Dec at reception from 09:00.',
      ts: '1730975000.000700',
    },
    { user_name: 'ben.okoro', text: 'Is parking included at the new place?', ts: '1730975400.000800' },
    {
      user_name: 'chiara.rossi',
      text: 'No parking spots for employees, sorry. There are 40 bike racks in the courtyard and the S-Bahn Treptower Park is 4 minutes away.',
      ts: '1730975700.000900',
    },
    { user_name: 'david.lim', text: 'Will we work remotely on Friday 6th?', ts: '1730976000.001000' },
    {
      user_name: 'alina.petrova',
      text: 'Yes, Friday 6 Dec and Monday 9 Dec morning are remote days for everyone except the IT team, who are on site both days.',
      ts: '1730976300.001100',
    },
    { user_name: 'eva.schulz', text: '<@U11EVA> has joined the channel', ts: '1730980000.001200' },
    {
      user_name: 'eva.schulz',
      text: 'Hi all! New here, starting on 2 December. Where do I go on my first day if the office is moving?',
      ts: '1730980300.001300',
    },
    {
      user_name: 'alina.petrova',
      text: "Welcome Eva! Your first week you sit at the old office (Rosenthaler Str. 40). From 9 Dec you're at the new one with everyone else.",
      ts: '1730980600.001400',
    },
  ],
  null,
  2,
);

describe('raiseProhibitions', () => {
  it('reads an answer\'s "No problem" as no rule, and a "No parking" or a "Never" opening as one', () => {
    const texts = [
      'The audit bucket holds the compliance logs.',
      'No problem, I will check the audit bucket tomorrow.',
      'No lifecycle rules on the audit bucket: legal needs seven years.',
      'Never give the audit bucket a lifecycle rule.',
    ];
    const score = Float64Array.from([5, 4, 1, 0]);
    raiseProhibitions(score, texts, 'Which bucket must not get the new lifecycle rules?');
    // The two rules go above the best, in their own order; the answer's "No problem" stays where it was.
    expect(score[1]).toBe(4);
    expect(score[2]).toBeGreaterThan(5);
    expect(score[3]).toBeGreaterThan(5);
    expect(score[2]).toBeGreaterThan(score[3] as number);
  });
});

describe('a question about what must not be done', () => {
  const { compressor } = useMiniLMCompressor('prohibitions');

  it('keeps the line that forbids it before the one that only names its words (review)', async () => {
    // Review: at 0.1 the log bucket's cue was kept, the audit bucket's "don't touch" not.
    const query = 'Which bucket must not get the new lifecycle rules, and why?';
    const r = await selectForQuery(STANDUP, { query, budget: 60, count });
    expect(r.text).toContain("don't touch the audit bucket");
    expect(r.text).not.toContain('log bucket');
    // Asked the other way, the fact ranks as before.
    const fact = await selectForQuery(STANDUP, { query: 'Which bucket made the S3 bill go up?', budget: 60, count });
    expect(fact.text).toContain('log bucket');
  });

  it('does the same among the records of a JSON export, ranked with MiniLM (review: "do NOT pack" never kept)', async () => {
    const c = compressor('cache.db');
    try {
      const r = await c.compress(SLACK, { query: 'When do the movers come and what must I not pack?', ratio: 0.2 });
      expect(r.strategy).toBe('select');
      expect(r.text).toContain('do NOT pack them');
    } finally {
      await c.dispose();
    }
  }, 120_000);
});
