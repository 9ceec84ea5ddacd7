import { openDb, projectDbPath } from '../src/store/db.ts';
import { insertPairs } from '../src/store/pairs.ts';
import { updateSettings } from '../src/store/settings.ts';
import { insertSources } from '../src/store/sources.ts';

/**
 * Review data a labeler would meet, written into a project through the store: a dialogue whose
 * compression lost a name, a date and an amount and said the opposite of a "not", validated by
 * three models (one failing) with dataset questions, reference answers, the judge's reasons, F1
 * and similarity; two long pairs (for scrolling); and `n` short pairs in each domain.
 */
export function seedReview(dir: string, n = 6): { failing: number; long: [number, number]; short: number[] } {
  const db = openDb(projectDbPath(dir));
  try {
    const dialogue = [
      '[Session 3 · 8 May 2023, 1:56 pm]',
      'Caroline: I went to the LGBTQ support group yesterday and it was so powerful.',
      'Melanie: That is great! How many people came?',
      'Caroline: About 14 people, and the counsellor Dr. Okafor ran it.',
      'Melanie: Did you decide about the adoption agency?',
      'Caroline: Yes, I applied to Bright Futures on 12 May and paid the $1,200 fee.',
      'Melanie: I am not signing up for the pottery class at the community centre on Elm Street.',
      'Caroline: The one on Thursdays at 7 pm? Jon goes there too.',
    ].join('\n');
    const compressed = [
      '[Session 3 · 8 May 2023]',
      'Caroline: went to LGBTQ support group yesterday; powerful.',
      'Melanie: how many came?',
      'Caroline: ~14, counsellor ran it.',
      'Melanie: adoption agency?',
      'Caroline: applied to Bright Futures, paid the fee.',
      'Melanie: signing up for pottery class, community centre, Elm Street.',
      'Caroline: Thursdays 7 pm? Jon goes too.',
    ].join('\n');
    const longOriginal = (tag: string) =>
      Array.from(
        { length: 160 },
        (_v, i) =>
          `Line ${String(i + 1).padStart(3, '0')} ${tag}: the shipment for order ${1000 + i} left the warehouse in Leeds on a Tuesday, and the driver noted that the weather was fine.`,
      ).join('\n');
    const longCompressed = (text: string) =>
      text
        .split('\n')
        .filter((_l, i) => i % 4 !== 3)
        .map((l) => l.replace(', and the driver noted that the weather was fine', '').replace('the warehouse in ', ''))
        .join('\n');
    const shortText = (domain: string, i: number) =>
      domain === 'code'
        ? `def total_${i}(items):\n    """Sum the prices of the items (${i})."""\n    # add them up\n    return sum(item.price for item in items)\n`
        : `Note ${i} (${domain}): Priya met Tomasz in Gdansk on 3 June 2024 to review invoice ${4400 + i}; they agreed to ship 25 units by Friday.`;
    const shortCompressed = (domain: string, i: number) =>
      domain === 'code'
        ? `def total_${i}(items):\n    return sum(item.price for item in items)\n`
        : `Note ${i}: Priya met Tomasz in Gdansk 3 June 2024, invoice ${4400 + i}; 25 units by Friday.`;
    const domains = ['nl', 'chat', 'code'] as const;
    const sources = [
      { text: dialogue, domain: 'chat' as const, title: 'locomo conv-26 · session 3' },
      { text: longOriginal('scrolltest A'), domain: 'nl' as const, title: 'shipping log A (scrolltest)' },
      { text: longOriginal('scrolltest B'), domain: 'nl' as const, title: 'shipping log B (scrolltest)' },
      ...domains.flatMap((domain) =>
        Array.from({ length: n }, (_v, i) => ({ text: shortText(domain, i), domain, title: `${domain} note ${i}` })),
      ),
    ];
    const { ids } = insertSources(
      db,
      sources.map((s) => ({
        text: s.text,
        domain: s.domain,
        language: s.domain === 'code' ? 'python' : null,
        format: 'text',
        title: s.title,
        originPath: null,
        originRef: null,
        metadata: {},
        tags: ['review-e2e'],
      })),
    );
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const compressions = [
      compressed,
      longCompressed(sources[1]?.text ?? ''),
      longCompressed(sources[2]?.text ?? ''),
      ...domains.flatMap((domain) => Array.from({ length: n }, (_v, i) => shortCompressed(domain, i))),
    ];
    const pairs = insertPairs(
      db,
      ids.map((sourceId, i) => ({
        sourceId,
        compressed: compressions[i] ?? '',
        strategy: i === 0 ? 'prompted' : 'rules',
        model: i === 0 ? 'claude-haiku-4-5' : '',
        tokensOriginal: Math.round(words(sources[i]?.text ?? '') * 1.3),
        tokensCompressed: Math.round(words(compressions[i] ?? '') * 1.3),
      })),
    ).ids;
    const failing = pairs[0] as number;
    const sourceId = ids[0] as number;
    const hashes = db
      .prepare(
        'SELECT p.compressed_hash AS c, s.hash AS o FROM pairs p JOIN sources s ON s.id = p.source_id WHERE p.id = ?',
      )
      .get(failing) as { c: string; o: string };
    const probes: [string, string][] = [
      ['How many people came to the support group?', '14'],
      ['When did Caroline apply to the adoption agency?', '12 May 2023'],
      ['How much was the adoption agency fee?', '$1,200'],
      ['Who ran the support group?', 'Dr. Okafor'],
      ['Where is the pottery class?', 'the community centre on Elm Street'],
    ];
    const probe = db.prepare(
      "INSERT INTO probes (source_id, kind, question, reference, hash, origin) VALUES (?, 'qa', ?, ?, ?, 'dataset') RETURNING id",
    );
    const answer = db.prepare(
      "INSERT INTO answers (probe_id, model, context_hash, text, request_hash) VALUES (?, ?, ?, ?, 'e2e')",
    );
    const verdict = db.prepare(
      'INSERT INTO verdicts (pair_id, probe_id, model, method, outcome, score, judge, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const models = ['claude-sonnet-4-5', 'gpt-4.1', 'gemini-2.5-flash'];
    for (const [i, [question, reference]] of probes.entries()) {
      const id = probe.pluck().get(sourceId, question, reference, `e2e-${i}`) as number;
      for (const model of models) {
        // gpt-4.1 loses the date, the fee and the counsellor; the others only the date.
        const lost = model === 'gpt-4.1' ? i === 1 || i === 2 || i === 3 : i === 1;
        answer.run(id, model, hashes.o, `${reference}.`);
        answer.run(id, model, hashes.c, lost ? 'The text does not say.' : `${reference}.`);
        const details = lost
          ? {
              via: 'judge',
              f1: 0.1,
              similarity: 0.41,
              reason: `The compressed answer lacks ${reference}, which the original states.`,
            }
          : { via: 'match', f1: 1, similarity: 1 };
        verdict.run(
          failing,
          id,
          model,
          lost ? 'judge' : 'match',
          lost ? 'different' : 'equivalent',
          details.f1,
          lost ? 'claude-sonnet-4-5' : null,
          JSON.stringify(details),
        );
      }
    }
    // Ten labels per pair: each test's labeler meets the whole queue, whatever the others labelled.
    updateSettings(db, { labelOverlap: 10 });
    return { failing, long: [pairs[1] as number, pairs[2] as number], short: pairs.slice(3) };
  } finally {
    db.close();
  }
}
