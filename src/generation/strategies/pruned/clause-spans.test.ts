import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { phraseSpans } from './index.ts';
import { isClosedClass } from './lexicon.ts';
import { flatPrune } from './testing/flat-prune.ts';

// The words whose loss changed a clause's meaning in reviews 3 and 4, as the pruner locks them
// (clause-spans.ts, lexicon.ts phraseSpans); each on a text of the same kind, not the review's own.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

/** What the pruner keeps of `text` at `ratio`, every word as surprising as the next. */
const pruned = (text: string, ratio: number) => flatPrune(text, ratio, o200k);

/** The words phraseSpans locks in `text`, in order. */
const locked = (text: string) =>
  phraseSpans(text)
    .sort((a, b) => a.start - b.start)
    .map((p) => text.slice(p.start, p.end))
    .join(' ');

describe('words a clause turns on (reviews 3 and 4)', () => {
  it('keeps a place or a person said to be gone', () => {
    // Review 3: "Previous dentist: Tandartspraktijk Oudegracht (moved away)." read "Tandartspraktijk
    // Oudegracht", the old practice as the current one.
    const text =
      'Client likes morning slots. Former physiotherapist: Praxis Lindenhof (moved away). Old GP closed down.';
    for (const ratio of [0.5, 0.33]) {
      expect(pruned(text, ratio)).toContain('Lindenhof (moved away)');
      expect(pruned(text, ratio)).toContain('closed down');
    }
  });

  it('keeps what fails with its verb', () => {
    // Review 3: "... is missing from the PR, so ON CONFLICT will fail in prod." read "`ON CONFLICT`".
    const text = 'The new index is not in the release branch yet, so the nightly import will fail in staging.';
    expect(locked(text)).toContain('fail in staging');
    expect(pruned(text, 0.33)).toContain('fail in staging');
  });

  it('keeps what runs until a date, and what a price is for', () => {
    // Review 3: "Free cancellation until Monday 8 Dec 16:30; a no-show costs EUR 35." read "Free
    // Monday 8 Dec 16:30; EUR 35."
    const text =
      'Your table is booked for Friday 14 March at 19:30 at Trattoria Sole. Free changes until Thursday 13 March 12:00; a late cancellation costs EUR 20 per guest.';
    for (const ratio of [0.5, 0.33]) {
      const r = pruned(text, ratio);
      expect(r, `${ratio}`).toContain('changes until Thursday 13 March 12:00');
      expect(r, `${ratio}`).toMatch(/cancellation costs EUR 20/);
    }
  });

  it('keeps the limit "only possible while" opens', () => {
    // Review 3: "Only possible while `status` is `created` and within 30 days of purchase." read
    // "`status` `created` within 30 days".
    const text = 'Refunds the order. Only allowed while the parcel is unopened and within 14 days of delivery.';
    expect(locked(text)).toContain('Only allowed while');
    expect(pruned(text, 0.33)).toContain('Only allowed while');
  });

  it('keeps the place or time said before a prohibition', () => {
    // Review 3: "Inside the settlement window (23:30-00:45 UTC), do not delete the pod" read
    // "(23:30-00:45 UTC), not delete the pod".
    const text = 'During the quarterly freeze (1-7 April), do not merge to main; ask the release lead.';
    expect(pruned(text, 0.33)).toMatch(/^During .*quarterly freeze \(1-7 April\), not merge/);
    // Not a long opening phrase, nor a clause with no negation.
    expect(locked('In the morning, we walk the dog.')).not.toContain('morning');
  });

  it('keeps what happens instead, after a negation and a colon', () => {
    // Review 4, F-07: "Files ... are not deleted at that point: they become read-only for 90 days,"
    // read "not deleted at that point: 90 days".
    const text =
      'Photos over the quota are not removed at once: they turn read-only for 30 days, after which the oldest ones go first.';
    for (const ratio of [0.5, 0.33]) expect(pruned(text, ratio), `${ratio}`).toContain('read-only 30 days');
    // A time's colon joins nothing: "before 10:30; I sleep late" is read from the semicolon.
    expect(locked('Do not call me before 10:30; I sleep late.')).toContain('sleep late');
  });

  it('keeps each item of a list inside a sentence with what it is about', () => {
    // Review 4, F-07: "(a) stored ... abuse material, (b) used the service to distribute malware, or
    // (c) ..." lost "malware".
    const text =
      'We may close a seller account at once if the seller has (a) listed counterfeit luxury goods, (b) used the shop to launder payments, or (c) repeatedly ignored our warnings about late shipping.';
    const r = pruned(text, 0.33);
    expect(r).toMatch(/\(a\) luxury goods, \(b\) launder payments, \(c\) late shipping/);
    // A lone "(a)" cites a clause: nothing of it is an item.
    expect(locked('See section 4(a) and (b) of the terms for details.')).not.toContain('(b)');
  });

  it("keeps a code block's short intro and an admonition's first sentence", () => {
    // Review 3: once a runbook's "Check" was no longer taken for a name, "Check the consumer group
    // first:" over its command and "> **Warning:** Check the time first." went whole at keep 0.5.
    const text = [
      'Mostly a full volume. Inspect the mount usage first:',
      '',
      '```bash',
      'df -h /var/lib/data',
      '```',
      '',
      '> **Caution:** Confirm the replica count first. Below two replicas, do not drain the node.',
    ].join('\n');
    const spans = locked(text);
    expect(spans).toContain('Inspect mount usage first:');
    expect(spans).toContain('Confirm replica count first.');
    // The prose before a code block, pruned apart from it, ends on the colon.
    expect(locked('### DiskFull\n\nMostly a full volume. Inspect the mount usage first:\n')).toContain(
      'Inspect mount usage first:',
    );
    // Not a long sentence, nor a colon with no code after it.
    expect(locked('Bring these for the trip tomorrow morning with the whole team and the dog:\n\n```\nx\n```')).toBe(
      '',
    );
    expect(locked('Inspect the mount usage first: it fills up.')).not.toContain('Inspect');
  });
});

describe('a short question thinned (review 4, F-21)', () => {
  it('keeps how someone is, and a Spanish question its closing mark', () => {
    const en = 'Mara: Poor thing. Is he okay now?\nTeo: He is fine, the doctor said rest.';
    expect(pruned(en, 0.33)).toContain('okay now?');
    // "I'm well" too; "well" opening a sentence is a filler still.
    expect(isClosedClass('well', false, 'am')).toBe(false);
    expect(isClosedClass('Well,', true, 'Teo:')).toBe(true);
    const es = 'Lucía: Hago paella el sábado. ¿Vienes tú?\nAndrés: Sí, claro.';
    expect(pruned(es, 0.33)).toContain('¿Vienes?');
  });
});

describe("a name's particles, one list for the pruner and the telegraph", () => {
  it('locks the particles the telegraph keeps too ("Casa do Conto")', () => {
    // The pruner's list lacked "do" and "y", which the telegraph's had: "Casa do Conto" read "Casa Conto".
    expect(locked('We stayed at Casa do Conto in Porto.')).toContain('do');
    expect(locked('Booked with Dr. Ilse van Dam.')).toContain('van');
  });
});

describe('a time limit is a date or a day, not a word that opens like a month (re-read of session 31)', () => {
  it('locks "until Monday" and "till 31 March", not "until Margaret" nor "through marketing"', () => {
    expect(locked('Free cancellation until Monday 8 Dec 16:30.')).toContain('cancellation');
    expect(locked('The offer is valid till March 31 for members.')).toContain('valid');
    expect(locked('Ana stayed until Margaret arrived with the kids.')).not.toContain('until');
    expect(locked('Revenue grows mainly through marketing and word of mouth.')).not.toContain('through');
    expect(locked('The candidate went through 3 rounds of interviews.')).not.toContain('through');
  });
});
