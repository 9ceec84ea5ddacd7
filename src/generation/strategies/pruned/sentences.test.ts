import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import {
  pieceLinks,
  plainHeadings,
  proseSentences,
  salienceCues,
  sectionLeads,
  sentenceWorth,
  titleLead,
} from './sentences.ts';
import { flatPruneResult } from './testing/flat-prune.ts';
import { lineMarkers, lineRanges, splitUnits, type Unit } from './units.ts';

// Selection is pure here: every model token gets the same surprisal, so what is kept follows from
// the word classes, the locked spans and the rules for whole sentences alone.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

/** A status report: its locked words (dates, amounts, names, negations) alone were over keep 0.5. */
const REPORT = [
  'Harbor project - monthly status report',
  'Month ending 31 October 2026',
  '',
  'Summary',
  'This report summarises the progress of the Harbor project in October. Overall status is GREEN. The berth extension reached 70 % on 28 October. The crane delivery moved from 4 November to 18 November because the supplier lacked a permit.',
  '',
  'Budget',
  'Spent to date: EUR 2,140,000 of EUR 3,500,000. Forecast at completion is EUR 3,420,000. No change requests were approved this month.',
  '',
  'Risks',
  'Storms in December may stop work for up to 10 days. The port authority has not yet signed the dredging permit, which is due by 15 November.',
  '',
  'Team',
  'Ines Duarte joined as site engineer on 2 October. Tom Price left the project on 20 October.',
  '',
  'Other',
  'Please let me know if you have any questions. Thank you all for your hard work this month.',
].join('\n');

const lines = (s: string) => s.split('\n');

describe('a prose document without a question (session 34)', () => {
  it('meets the ratio asked, within a few points, at keep 0.5 and 0.33', () => {
    // Before, the report's locked words alone were over either budget: keep 0.5 kept over 60 % and
    // keep 0.33 gave the same text.
    const half = flatPruneResult(REPORT, 0.5, o200k);
    const third = flatPruneResult(REPORT, 0.33, o200k);
    expect(half.ratio, half.text).toBeGreaterThan(0.42);
    expect(half.ratio, half.text).toBeLessThanOrEqual(0.54);
    expect(third.ratio, third.text).toBeGreaterThan(0.25);
    expect(third.ratio, third.text).toBeLessThanOrEqual(0.37);
    expect(third.text.length).toBeLessThan(half.text.length);
  });

  it('drops boilerplate before a sentence holding a deadline, a negation or a number', () => {
    for (const ratio of [0.5, 0.33]) {
      const { text } = flatPruneResult(REPORT, ratio, o200k);
      expect(text, `${ratio}`).not.toContain('Please let me know');
      expect(text, `${ratio}`).not.toContain('This report summarises');
      // Its status and the slip it reports lead (session 35: the status leads its section, the slip is a
      // change; before, "The port authority has not yet signed the dredging permit" held the place).
      expect(text, `${ratio}`).toContain('Overall status is GREEN');
      if (ratio === 0.5) expect(text).toMatch(/crane delivery moved from 4 November to 18 November/);
    }
  });

  it('keeps the title and the headings over kept sentences, and no heading over nothing', () => {
    for (const ratio of [0.5, 0.33]) {
      const { text } = flatPruneResult(REPORT, ratio, o200k);
      const out = lines(text);
      expect(out[0], text).toBe('Harbor project - monthly status report');
      const headings = ['Summary', 'Budget', 'Risks', 'Team', 'Other'];
      out.forEach((line, k) => {
        if (!headings.includes(line)) return;
        const next = out[k + 1];
        // A heading kept has a line of its section under it.
        expect(next !== undefined && next.trim() !== '' && !headings.includes(next), `${ratio}: ${text}`).toBe(true);
      });
      // "Other" held only thanks and an offer of help: it went with them.
      expect(out, `${ratio}`).not.toContain('Other');
    }
  });

  it('reports the sentences it dropped whole as released', () => {
    const r = flatPruneResult(REPORT, 0.33, o200k);
    const released = r.released.map((x) => REPORT.slice(x.start, x.end));
    expect(released).toContain('Please let me know if you have any questions.');
  });

  it('drops a sentence opening with a pronoun with the sentence it leans on', () => {
    const memo = [
      'Travel policy update',
      '',
      'The daily meal allowance rises from EUR 40 to EUR 55 on 1 May. It is not paid to contractors.',
      'Flights over 6 hours may be booked in premium economy. Hotel rooms are capped at EUR 180 a night in every city.',
      'Receipts must reach finance within 30 days of the trip. Late claims are not refunded.',
      'Taxis are refunded only after 22:00 or with luggage over 20 kg. Rail is preferred for trips under 4 hours.',
      'Please contact the travel desk if anything is unclear. Thank you for your cooperation.',
    ].join('\n');
    for (const ratio of [0.5, 0.33, 0.2]) {
      const { text } = flatPruneResult(memo, ratio, o200k);
      if (text.includes('It is not paid')) expect(text, `${ratio}`).toContain('meal allowance');
    }
  });

  it('never drops a sentence naming an allergy or a standing order, and drops a lead-in with its items', () => {
    const sheet = [
      'Camp information for parents',
      '',
      'The camp runs from 7 to 11 July at Lakeside Park. Drop-off is at 8:30 and pick-up at 16:00.',
      'Lunch is provided every day. Lunch on Wednesday contains nuts, so children with a nut allergy must bring their own.',
      'Children should bring a hat, a water bottle and sun cream. Do not send phones or other valuables.',
      'The weekly fee is EUR 120 and is due by 1 July. Siblings get a 10 % discount.',
      'Each child should bring:',
      '- a packed snack for the morning',
      '- a change of clothes',
      'We look forward to seeing you. Please get in touch with any questions.',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const { text } = flatPruneResult(sheet, ratio, o200k);
      expect(text, `${ratio}`).toMatch(/nut allergy/);
      expect(text, `${ratio}`).toMatch(/not send phones/);
      if (!/- a (?:packed|change)/.test(text)) expect(text, `${ratio}: ${text}`).not.toContain('bring:');
    }
  });
});

describe('the pieces of a prose document', () => {
  const read = (text: string) => {
    const units = splitUnits(text);
    const ls = lineRanges(text, units);
    const headings = plainHeadings(text, units, ls);
    const pieces = proseSentences(text, units, ls, [], new Set(headings.map(([f]) => f)), new Uint8Array(units.length));
    const show = ([f, l]: [number, number]) =>
      text.slice((units[f] as { word: number }).word, (units[l] as { end: number }).end);
    return {
      headings: headings.map(show),
      pieces: pieces.map((p) => show([p.first, p.last])),
      links: pieceLinks(text, units, pieces),
    };
  };

  it('splits sentences, but not at an abbreviation, an initial or a clause number', () => {
    const { pieces } = read(
      'Seen by Dr. Okafor and J. Lee on 3 March. Follow-up in 6 weeks.\n3.1 The deposit is EUR 900.\n(b) No pets.',
    );
    expect(pieces).toEqual([
      'Seen by Dr. Okafor and J. Lee on 3 March.',
      'Follow-up in 6 weeks.',
      '3.1 The deposit is EUR 900.',
      '(b) No pets.',
    ]);
  });

  it("ends no sentence at a day's ordinal full stop before its month (German, Scandinavian dates)", () => {
    const { pieces } = read(
      'Am 15. Oktober 2025 wird das Wasser abgestellt. Bitte füllen Sie Wasser ab.\nMødet er den 3. marts. Alle skal komme.',
    );
    expect(pieces).toEqual([
      'Am 15. Oktober 2025 wird das Wasser abgestellt.',
      'Bitte füllen Sie Wasser ab.',
      'Mødet er den 3. marts.',
      'Alle skal komme.',
    ]);
  });

  it('reads a short line after a blank line, with text under it, as a heading, and the first line as the title', () => {
    const { headings, pieces } = read(
      'Weekly notes\n\nDecisions this week\nWe ship on Friday.\n\nA closing line ends here.\nAnd one more line.',
    );
    expect(headings).toEqual(['Weekly notes', 'Decisions this week']);
    expect(pieces).toEqual(['We ship on Friday.', 'A closing line ends here.', 'And one more line.']);
  });

  it('keeps a wrapped list item whole, and links a pronoun to the sentence before it', () => {
    const { pieces, links } = read(
      'Risotto for two.\nSteps:\n1. Soften the onions for 10 minutes,\n   stirring now and then.\n2. Add the rice.\n\nThe fee rises to EUR 50. It is due in May.',
    );
    expect(pieces).toEqual([
      'Risotto for two.',
      'Steps:',
      '1. Soften the onions for 10 minutes,\n   stirring now and then.',
      '2. Add the rice.',
      'The fee rises to EUR 50.',
      'It is due in May.',
    ]);
    expect([...links.antecedent]).toEqual([-1, -1, -1, -1, -1, 4]);
    expect(links.items[1]).toEqual([2, 3]);
  });

  it('values a fact above boilerplate', () => {
    expect(sentenceWorth('Please let me know if you have any questions.')).toBeLessThan(1);
    expect(sentenceWorth('This report summarises the progress of the project.')).toBeLessThan(1);
    expect(
      sentenceWorth('6.2 Both parties have read and understood this agreement and agree to its terms.'),
    ).toBeLessThan(1);
    expect(sentenceWorth('The permit is not signed and is due by 15 November.')).toBeGreaterThan(2);
    expect(sentenceWorth('The lead, Tom Price, left the project.')).toBeGreaterThan(
      sentenceWorth('Progress was good.'),
    );
  });
});

describe("a clause's number", () => {
  it('goes with the last word of its line, released ("3.2" was left alone on its line, session 34)', () => {
    const lease =
      '3. Deposit\n3.1 The tenants pay a deposit of two months rent before the keys are handed over to them.\n3.2 The landlord returns the deposit within a month after the tenancy has ended and the flat was checked.';
    const r = flatPruneResult(lease, 0.33, o200k);
    for (const line of lines(r.text)) expect(line, r.text).not.toMatch(/^\d+(?:\.\d+)+\.?$/);
    expect(r.text).toContain('3.1 ');
    if (!r.text.includes('3.2')) expect(r.released.map((x) => lease.slice(x.start, x.end))).toContain('3.2');
  });
});

describe('a prose document whose locked words fit the budget (session 34)', () => {
  // A narrative summary (LoCoMo's session summaries are such): every sentence a fact, few words
  // locked. Sentences dropped whole lost more answers than words thinned (bench memory-prose at keep
  // 0.33: 53 and 47 answers against 58 and 58), so whole sentences go only where the locked words
  // alone are over the budget.
  const SUMMARY = [
    'Caroline and Melanie caught up over the weekend and talked about what had kept them busy.',
    'Caroline said she had gone to a support group and felt welcome there from the first minute.',
    'Melanie shared that she had started a pottery class and found it calming after long working days.',
    'They talked about painting, and Melanie described a sunset she had painted near the lake.',
    'Caroline mentioned that she was thinking about a career in counseling and wanted to help young people.',
    'Melanie encouraged her and said that her own family had always supported her choices.',
    'They agreed to meet again soon and to go camping together with the kids in the summer.',
  ].join(' ');

  it('thins words and drops no sentence whole, at keep 0.5 and 0.33', () => {
    const half = flatPruneResult(SUMMARY, 0.5, o200k);
    expect(half.released, half.text).toEqual([]);
    expect(half.text).toContain('support group');
    expect(half.text).toContain('camping');
    const third = flatPruneResult(SUMMARY, 0.33, o200k);
    expect(third.released, third.text).toEqual([]);
    expect(third.text).toContain('support group');
    expect(third.ratio).toBeLessThanOrEqual(0.37);
  });
});

describe('a sentence that must stay, after a sentence that went (re-read of session 34)', () => {
  // "He is allergic ..." leans on the sentence before it (pieceLinks); that sentence went first and
  // came back, and the allergy, gone with it, found the budget spent.
  const NOTE = [
    'Home visit note',
    '',
    'Visit',
    'The nurse visited Mr. Okafor at home on Tuesday morning. He is allergic to penicillin and to latex gloves. The dressing on his left leg was changed. The wound looks cleaner than last week.',
    '',
    'Plan',
    'His son will collect the new prescription from the pharmacy. It must not be crushed or split. The next visit is booked for Friday at 10:00. The nurse will phone the GP if the redness spreads.',
    '',
    'Other',
    'Thank you for your help with the parking permit. Please let us know if anything changes.',
  ].join('\n');

  it('keeps an allergy leaning on a pronoun whole at keep 0.5, 0.33 and 0.2', () => {
    for (const ratio of [0.5, 0.33, 0.2])
      expect(flatPruneResult(NOTE, ratio, o200k).text).toContain('He is allergic to penicillin and to latex gloves.');
  });
});

describe('a prose document with CRLF line ends (re-read of session 34)', () => {
  const PLAN = [
    'Care plan for Mrs. Helen Ward',
    '',
    'Summary',
    'This document summarises the care plan agreed with the family on 12 March. Helen is 84 and lives alone in a ground-floor flat. She walks with a frame and has had two falls this year.',
    '',
    'Allergies',
    'Penicillin causes a rash. Shellfish makes her swell up.',
    '',
    'Visits',
    'Carers come twice a day, at 8 in the morning and at 6 in the evening. The morning visit lasts forty minutes. Carers must not leave before Helen has eaten. The key safe code is kept by the agency.',
    '',
    'Review',
    'The plan will be reviewed by 30 April. Please let us know if anything changes.',
  ];

  it('reads its blank lines, title and four headings and sections as with LF', () => {
    const lf = PLAN.join('\n');
    const crlf = PLAN.join('\r\n');
    expect(plainHeadings(crlf, splitUnits(crlf), lineRanges(crlf, splitUnits(crlf))).length).toBe(5);
    for (const ratio of [0.5, 0.33]) {
      const kept = flatPruneResult(crlf, ratio, o200k).text;
      // Under "Allergies" every sentence stays (sentences.ts holdsSafetyFact): it had no heading.
      expect(kept).toContain('Shellfish');
      expect(kept.replace(/\r\n/g, '\n')).toBe(flatPruneResult(lf, ratio, o200k).text);
    }
  });
});

describe('plain headings in linear time (re-read of session 34)', () => {
  it('reads 20,000 lines in well under a second, and the same headings as before', () => {
    const text = Array.from({ length: 20000 }, (_, i) => (i % 4 === 3 ? '' : `Item ${i} ok`)).join('\n');
    const units = splitUnits(text);
    const ranges = lineRanges(text, units);
    const t = performance.now();
    const found = plainHeadings(text, units, ranges);
    expect(performance.now() - t).toBeLessThan(300);
    // After each blank line, a short line with lines under it; and the text's first line, its title.
    expect(found.length).toBe(5000);
  });
});

describe("a document's key facts without a question (session 35)", () => {
  // Ranked by novelty and kinds of fact alone, the minor facts (house rules, negations, dates) won:
  // a lease lost its rent and kept "No pets", a status report lost its status, a recall notice what
  // to do. A section's lead, what its heading names, money, a verdict and a change now weigh too.
  const MEMBERSHIP = [
    'Gym membership agreement',
    '',
    'Fees',
    'The membership fee is EUR 39 per month, paid by direct debit on the 5th of each month.',
    'A joining fee of EUR 20 is charged once.',
    '',
    'House rules',
    'Members must not bring glass bottles into the gym floor area.',
    'Outdoor shoes are not allowed in the studios on any day.',
    'Towels must always be used on the benches and mats.',
    'Children under 16 are not allowed in the weights room.',
    '',
    'Ending the membership',
    'Either side may end the membership with one month of notice in writing.',
  ].join('\n');
  const REPORT = [
    'Bridge repair - monthly report',
    '',
    'Summary',
    'Overall status is RED.',
    'The steel delivery slipped by three weeks because the mill had a fire on 2 May.',
    'Night works on the north ramp may not start before 15 June, when the permit is signed.',
    'The site office will not be open on Saturdays in June.',
    '',
    'Team',
    'Lena Park joined on 3 May, and Omar Said left on 20 May.',
    'Visitors must sign in at the gate and may not enter without a helmet.',
  ].join('\n');

  it('keeps the fee a membership is about, over its house rules, at keep 0.5 and 0.33', () => {
    for (const ratio of [0.5, 0.33]) {
      const { text } = flatPruneResult(MEMBERSHIP, ratio, o200k);
      expect(text, `${ratio}`).toMatch(/fee[^\n]*EUR 39/);
    }
  });

  it("keeps a report's status and the slip it reports, at keep 0.5 and 0.33", () => {
    // Before, the office's Saturdays and the night works' start (a negation, a deadline) took the slip's place.
    for (const ratio of [0.5, 0.33]) {
      const { text } = flatPruneResult(REPORT, ratio, o200k);
      expect(text, `${ratio}`).toMatch(/status[^\n]*RED/);
      expect(text, `${ratio}`).toMatch(/slipped by three weeks/);
    }
  });

  it('counts the signs of a key fact: a lead, its heading named, money, a verdict, a change', () => {
    expect(salienceCues('No pets are allowed.', { heading: '4. Use of the property' })).toBe(0);
    expect(salienceCues('2.1 The rent is EUR 1,650 per month.', { lead: true, heading: '2. Rent' })).toBe(3);
    expect(salienceCues('Overall status is AMBER.')).toBe(1);
    expect(salienceCues('The allowance rises from EUR 300 to EUR 450 a year.')).toBe(2);
    expect(salienceCues('From 1 April 2027, every employee works from the office two days a week.')).toBe(1);
    expect(salienceCues('Core hours stay from 10:00 to 16:00.')).toBe(0);
    // Re-read of session 35: an "overall" or an "at risk" that gives no verdict.
    expect(salienceCues('Overall, the team is happy with the new office.')).toBe(0);
    expect(salienceCues('Patients at risk of falls get a bed alarm.')).toBe(0);
    // A decision bound to a condition (session 37: board minutes lost "the board approved the
    // project, on condition that ... below 6%" at keep 0.5 and kept "There was no other business").
    expect(
      salienceCues(
        'After discussion the board approved the project, on condition that the bank loan is agreed at a rate below 6%.',
      ),
    ).toBe(1);
    expect(salienceCues('The council agreed to accept the quote, provided that the grant is confirmed.')).toBe(1);
    expect(salienceCues('Lunch is provided for everyone who attends.')).toBe(0);
    expect(salienceCues('The board approved the minutes of the last meeting.')).toBe(0);
    expect(salienceCues('The launch is at risk.')).toBe(1);
    expect(salienceCues('The overall rating was Good.')).toBe(1);
    expect(
      sectionLeads(
        ['This document describes the incident.', 'Checkout failed for 38 % of users.', 'It lasted an hour.'],
        ['Summary', 'Summary', 'Summary'],
      ),
    ).toEqual(new Set([1]));
  });
});

describe("a notice's courtesy in German, Spanish, French or Italian (session 38)", () => {
  it('reads an opening courtesy as framing: no lead of its section, and worth least when it holds no fact', () => {
    const notices = [
      [
        'Wir hoffen, Sie hatten einen schönen Sommer und freuen uns auf ein gutes Miteinander im Haus.',
        'Am 15. Oktober 2025 wird das Wasser von 8 bis 14 Uhr abgestellt.',
      ],
      [
        'Queremos agradecer a todos los vecinos su colaboración y buena convivencia durante este año.',
        'El ascensor estará fuera de servicio del 3 al 7 de noviembre de 2025.',
      ],
      ['Nous espérons que vous avez passé un bel été.', "L'eau sera coupée le 4 mars de 8 h à 12 h."],
      ['Grazie a tutti per la collaborazione.', "L'acqua sarà sospesa il 4 marzo dalle 8 alle 12."],
    ];
    for (const bodies of notices) {
      expect([...sectionLeads(bodies, ['', ''])], bodies[0]).toEqual([1]);
    }
    expect(sentenceWorth('Atentamente, la administración.')).toBeLessThan(1);
    expect(sentenceWorth('Mit freundlichen Grüßen')).toBeLessThan(1);
    expect(sentenceWorth('Saludos cordiales.')).toBeLessThan(1);
  });

  it('reads thanks and wishes naming a place or a firm as courtesy, an offer of help naming whom to ask as a fact (session 41)', () => {
    // A baggage email at keep 0.33 kept its wishes and lost its flight's sentence: "Lisbon" and
    // "Atlantis Air" read as names made them facts.
    for (const courtesy of [
      'We wish you a pleasant journey and hope you enjoy your stay in Lisbon!',
      'Thank you for choosing Atlantis Air.',
      'We look forward to welcoming you on board with Atlantis Air.',
    ])
      expect(sentenceWorth(courtesy), courtesy).toBeLessThan(1);
    // Whom to ask is the fact of an offer of help; a wish with a date or a number holds one too.
    expect(sentenceWorth('Please get in touch with Dr Patel if the swelling returns.')).toBeGreaterThanOrEqual(1);
    expect(sentenceWorth('We hope to see you at the Lisbon meeting on 4 May.')).toBeGreaterThanOrEqual(1);
  });

  it('reads thanks for understanding or patience as courtesy, with the verb after it as German puts it (session 40)', () => {
    // A German heating notice at keep 0.33 kept "Für Ihr Verständnis bedanken wir uns herzlich." and
    // lost when hot water runs: the thanks open with what they are for, the verb second.
    for (const thanks of [
      'Für Ihr Verständnis bedanken wir uns herzlich.',
      'Für Ihre Geduld danken wir Ihnen.',
      'Vielen Dank für Ihre Mithilfe.',
      'Vi ringraziamo per la collaborazione.',
      'Merci de votre compréhension.',
      'We appreciate your patience.',
      'Thank you for your cooperation.',
    ]) {
      expect(sentenceWorth(thanks), thanks).toBeLessThan(1);
    }
    // What the thanks come with stays a fact: a date or a figure in it.
    expect(sentenceWorth('Für Ihr Verständnis bis zum 13. Oktober danken wir Ihnen.')).toBeGreaterThanOrEqual(1);
  });

  it('reads a courtesy word only whole: a name opening with one ("Graziella", "Mercier") is no courtesy (s38 rr)', () => {
    // "Graziella Rossi is our new treasurer from April." was worth least and no section's lead: its
    // name starts as "Grazie" does, "Mercier" as "Merci".
    for (const named of ['Graziella Rossi is our new treasurer from April.', 'Mercier called about the roof.']) {
      expect(sentenceWorth(named), named).toBeGreaterThanOrEqual(1);
      expect([...sectionLeads([named, 'Tea was served afterwards.'], ['', ''])], named).toEqual([0]);
    }
  });
});

describe("a notice's lead under its title (session 36)", () => {
  it('reads the sentence under a title read as a field as the lead, not the title itself', () => {
    // "PRODUCT RECALL: BrightHome 2000W Fan Heater" took the lead of its own section, and the
    // sentence saying what is recalled and why went first at keep 0.33.
    const bodies = [
      'PRODUCT RECALL: BrightHome 2000W Fan Heater',
      'BrightHome Ltd is recalling its 2000W Fan Heater, model FH-2000, because it may overheat.',
      'We apologise for any inconvenience.',
    ];
    const sections = bodies.map(() => bodies[0] as string);
    expect(sectionLeads(bodies, sections, (k) => k === 0)).toEqual(new Set([1]));
    expect(sectionLeads(bodies, sections)).toEqual(new Set([0]));
  });
});

describe("a titled notice's lead too long for its budget (session 37)", () => {
  const RECALL = `SAFETY RECALL: Kiddo Stacking Rings, model SR-12

Kiddo Toys is recalling its Stacking Rings, model SR-12, because the small top ring can come loose and is a choking hazard for children under 3.

Which toys are affected
Sets sold from January to August 2026 with batch numbers starting with 26A or 26B are affected. The batch number is on the bottom of the base. Stacking Rings with other batch numbers are safe to use.

What you should do
Take the toy away from your child now. Do not throw it away. Fill in the form at kiddo.com/recall and we will send a freepost envelope; when we receive the toy we refund GBP 14.99 to your card.

More information
Call 0800 555 0199, Monday to Friday, 9am to 5pm.

At Kiddo, children's safety comes first. We are sorry for the worry this may cause.
`;

  it('finds the lead that names the titled thing, and none that does not', () => {
    const bodies = ['SAFETY RECALL: Kiddo Stacking Rings', 'Kiddo Toys is recalling its Stacking Rings.', 'Call us.'];
    const sections = [bodies[0], bodies[0], 'More information'] as string[];
    expect(titleLead(bodies, sections, new Set([1, 2]), bodies[0] as string)).toBe(1);
    expect(
      titleLead(
        ['Held on 11 March 2027 at the head office.'],
        ['Minutes of the Board'],
        new Set([0]),
        'Minutes of the Board',
      ),
    ).toBe(-1);
  });

  it('keeps the recall, thinned, at keep 0.33', () => {
    const { text } = flatPruneResult(RECALL, 0.33, o200k);
    expect(text).toMatch(/recalling[^\n]*SR-12/);
  });
});

describe('a recipe whose steps take more than its budget (session 37)', () => {
  const RECIPE = `Lemon and Garlic Roast Chicken

This is our favourite Sunday dinner and it has been in the family for years. The kids love it and it makes the whole house smell wonderful.

Serves 4. Preparation 20 minutes, cooking 1 hour 30 minutes.

Ingredients
- 1 whole chicken, about 1.8 kg
- 2 lemons
- 1 head of garlic
- 3 tablespoons olive oil
- 1 kg small potatoes, halved
- Salt and black pepper
- A few sprigs of fresh thyme

Method
1. Heat the oven to 200C (180C fan).
2. Cut one lemon in half and put it inside the chicken with half the garlic cloves.
3. Put the potatoes in a roasting tin, toss them with the oil and season well.
4. Sit the chicken on top of the potatoes, squeeze the second lemon over it and scatter the thyme.
5. Roast for 1 hour 30 minutes, until the juices run clear when you pierce the thickest part of the thigh.
6. Rest the chicken under foil for 15 minutes before carving.

Notes
The chicken must reach 75C in the thickest part; if you have a meat thermometer, use it. Leftovers keep in the fridge for up to 3 days. My mother always served this with green beans, and so do I.
`;

  it("counts an ingredient's quantity as a figure, not as a list's number", () => {
    expect(sentenceWorth('2 lemons')).toBeGreaterThan(sentenceWorth('Salt and black pepper'));
    expect(sentenceWorth('2.1 The parties agree.')).toBe(sentenceWorth('The parties agree.'));
  });

  it('keeps the ingredients and the steps that say how hot or how long at keep 0.33', () => {
    const { text } = flatPruneResult(RECIPE, 0.33, o200k);
    expect(text).toMatch(/Ingredients\n- /);
    expect(text).toMatch(/200C/);
    expect(text).toMatch(/1 hour 30/);
  });
});

describe("a report's front fields (session 36)", () => {
  it('lets who-and-what fields under the title yield to the body at keep 0.33, its status and date kept', () => {
    const text = [
      'Warehouse Scanner Rollout - monthly update',
      '',
      'Project: Warehouse Scanner Rollout',
      'Owner: Daniel Kowalski',
      'Date: 2 March 2027',
      'Status: RED',
      'Sponsor: Operations Director',
      'Distribution: Steering group',
      '',
      'Summary',
      'The rollout is behind plan. Only 3 of the 8 warehouses are live, against 6 planned by the end of February. The supplier delivered 400 scanners instead of 1,200 because of a chip shortage.',
      '',
      'Timeline',
      'The remaining 800 scanners arrive in the second half of April. Leeds and Derby go live early next month with the scanners we already have. The last three sites now go live by end of Q3 instead of end of Q2.',
      '',
      'Costs',
      'Spent so far: GBP 310,000 of GBP 520,000. The supplier will pay a penalty of GBP 25,000 for the late delivery.',
      '',
      'Risks',
      'The warehouse unions want training during paid hours; if this is not agreed by 20 March, the Derby go-live slips. Two of the four trainers are on leave in the first two weeks of April.',
      '',
      'Next steps',
      'Agree the training terms with the unions. Confirm the April delivery date with the supplier in writing.',
    ].join('\n');
    const out = flatPruneResult(text, 0.33, o200k).text;
    expect(out).toContain('Status: RED');
    expect(out).toContain('2 March 2027');
    for (const field of ['Project:', 'Sponsor:', 'Distribution:']) expect(out, out).not.toContain(field);
    // Where they are cheap beside the body they stay.
    expect(flatPruneResult(text, 0.9, o200k).text).toContain('Sponsor: Operations Director');
  });
});

describe('a change read where there is none (re-read of session 35)', () => {
  it('reads no change in a name after "From", "this point", a noun after its article', () => {
    expect(salienceCues("From Marek's notes, the team met twice.")).toBe(0);
    expect(salienceCues('From this point of view, the plan is fine.')).toBe(0);
    expect(salienceCues('She planted a rose by the door.')).toBe(0);
    expect(salienceCues('Use the eye drops twice a day.')).toBe(0);
    // Still a change.
    expect(salienceCues('From March 2027, the fee is due monthly.')).toBe(1);
    expect(salienceCues('From next week, the office opens at 8.')).toBe(1);
    expect(salienceCues('Revenue rose by 7 %.')).toBe(1);
    expect(salienceCues('The price drops to 40 in May.')).toBe(1);
  });
});

describe('pieces given back after the drop (session 35, H1b)', () => {
  // Given back in reverse drop order, a key piece whose words were said before (the new drug, named
  // in the course) went early, came back late and no longer fitted; a long course sentence took its place.
  const DISCHARGE = [
    'DISCHARGE SUMMARY',
    '',
    'Patient: Margaret Ellison, 74 F',
    'Admitted: 3 March 2026    Discharged: 9 March 2026',
    'Attending: Dr. R. Okafor (Cardiology)',
    '',
    'Reason for admission',
    'Palpitations and shortness of breath for two days. ECG on arrival showed atrial fibrillation with rapid ventricular response (rate 142).',
    '',
    'Hospital course',
    'Rate control was started with IV metoprolol, then switched to oral metoprolol succinate 50 mg once daily. Rate settled to 70-85 by day 2.',
    'Echocardiogram: LVEF 55 %, mild left atrial enlargement, no valvular disease.',
    'Troponin negative x2. TSH normal. COVID PCR negative.',
    'CHA2DS2-VASc score 4 (age, female, hypertension). After discussion of bleeding risk, she was started on apixaban 5 mg twice daily.',
    'Warfarin was considered and declined by the patient because of the monitoring.',
    'Lower-limb Doppler: no evidence of DVT.',
    'Creatinine 98 umol/L, stable throughout.',
    '',
    'Allergies',
    'Penicillin (rash). No known food allergies.',
    '',
    'Discharge medications',
    '- Apixaban 5 mg twice daily (NEW)',
    '- Metoprolol succinate 50 mg once daily (NEW)',
    '- Ramipril 5 mg once daily (unchanged)',
    '- Atorvastatin 20 mg at night (unchanged)',
    '- Aspirin 75 mg: STOPPED (not needed with apixaban, increases bleeding risk)',
    '',
    'Instructions for the patient',
    '- Do not stop apixaban without speaking to your doctor, even if you feel well.',
    '- Do not take ibuprofen or other anti-inflammatory painkillers; use paracetamol instead.',
    '- Always tell your dentist you take a blood thinner.',
    '- Seek urgent care if you notice black stools, blood in urine, or a severe headache.',
    '- Avoid heavy alcohol.',
    '',
    'Follow-up',
    'Cardiology clinic in 6 weeks (Dr. Okafor). Blood test (kidney function, full blood count) with GP in 2 weeks.',
    'Consider ablation referral if symptoms persist.',
  ].join('\n');

  it('come back by worth per token: the new drug on its list, at keep 0.5, the share kept the same', () => {
    const r = flatPruneResult(DISCHARGE, 0.5, o200k);
    expect(r.text).toContain('- Apixaban 5 mg twice daily (NEW)');
    expect(r.ratio).toBeGreaterThan(0.45);
    expect(r.ratio).toBeLessThan(0.55);
  });
});

describe('a date, an amount or a time opening a line (re-read of session 34, item 8)', () => {
  const DIARY = [
    'Tagebuch März',
    '',
    'Woche 11',
    '12.03. Zahnarzt bei Dr. Weber, Füllung oben links.',
    '13.03. Elternabend in der Schule, 19 Uhr.',
    '14.03. Oma angerufen, es geht ihr besser.',
    '15.03. Auto in die Werkstatt gebracht.',
    '16.03. Lina hat Fieber, kein Sport.',
    '17.03. Ruhiger Tag.',
    '',
    'Notizen',
    '2.5 Stunden Überstunden am Montag.',
    '10.30 Telefonat mit der Bank.',
  ].join('\n');
  const markersOf = (text: string) => {
    const units = splitUnits(text);
    return lineMarkers(text, units, lineRanges(text, units)).map(([m]) =>
      text.slice((units[m] as Unit).word, (units[m] as Unit).end),
    );
  };

  it('is no clause number: a date, a decimal or a time is not released as a marker', () => {
    expect(markersOf(DIARY)).toEqual([]);
    for (const ratio of [0.5, 0.33]) {
      const r = flatPruneResult(DIARY, ratio, o200k);
      const released = r.released.map((x) => DIARY.slice(x.start, x.end));
      expect(released, r.text).not.toContain('12.03.');
      expect(released, r.text).not.toContain('2.5');
    }
  });

  it('still reads a clause number under its section or beside its siblings', () => {
    expect(markersOf('1. RENT\n1.1 The rent is due monthly.\n1.2 It is paid by transfer.')).toEqual([
      '1.',
      '1.1',
      '1.2',
    ]);
  });

  it("counts a diary's date as a figure of its line", () => {
    expect(sentenceWorth('12.03. Zahnarzt bei Dr. Weber.')).toBeGreaterThan(sentenceWorth('Zahnarzt bei Dr. Weber.'));
  });
});

describe("an order to the reader in a document's list or prose (session 39)", () => {
  it('weighs an item or a sentence that opens on an order as an instruction', () => {
    // Session 38-39 (F10): a camp's packing list at keep 0.5 lost "- Label all clothing with your
    // child's name" and "- Include a refillable water bottle" while "We can't wait to welcome your
    // child ..." stayed: an order with no figure in it weighed no more than a slogan.
    for (const order of ["- Label all clothing with your child's name", 'Keep the room well ventilated.'])
      expect(sentenceWorth(order), order).toBeGreaterThan(sentenceWorth('- Our lakeside cabins have stunning views'));
    // Not a statement that opens on a noun, nor a greeting.
    expect(sentenceWorth('Every year families tell us camp is the best week.')).toBe(1);
    const list = [
      'Summer camp packing list',
      '',
      'We cannot wait to welcome your child to what we know will be the best week of their whole summer!',
      'Our counsellors are all trained, friendly and passionate about the outdoors and about the lake.',
      '',
      'What to pack:',
      "- Label all clothing with your child's name",
      '- Include a refillable water bottle',
      '- Put any medication in a sealed bag and hand it to the nurse',
      '- Our lakeside cabins have stunning views across the water',
      '',
      'Drop-off is between 2pm and 4pm on Sunday 20 July. Pick-up is at 11am on Sunday 27 July.',
      "Every year families tell us that camp is the highlight of their child's year, and we agree.",
    ].join('\n');
    const out = flatPruneResult(list, 0.5, o200k).text;
    for (const order of ['Label', 'Include', 'medication']) expect(out, out).toContain(order);
    expect(out, out).not.toContain('stunning');
  });
});

describe("a meeting's outcomes over its procedure (session 41)", () => {
  it('weighs who was elected over the approval of past minutes and the hour a meeting closed', () => {
    // Session 40 (lead's e): an AGM's minutes at keep 0.5 kept "2. Minutes of the 2024 AGM were approved
    // without changes." and "The meeting closed at 11:40." and lost "Priya Sandhu was elected Treasurer".
    const elected = sentenceWorth(
      '7. Elections: Priya Sandhu was elected Treasurer. Fiona Grant was re-elected Chair.',
    );
    expect(elected).toBeGreaterThan(sentenceWorth('2. Minutes of the 2024 AGM were approved without changes.'));
    expect(sentenceWorth('The meeting closed at 11:40.')).toBeLessThan(1);
    expect(sentenceWorth('The minutes of the previous meeting were agreed as a true record.')).toBeLessThan(1);
    expect(sentenceWorth('Dr Okafor was appointed Head of Science.')).toBeGreaterThan(
      sentenceWorth('Dr Okafor visited the school.'),
    );
  });
});
