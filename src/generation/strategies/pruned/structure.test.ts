import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { classifyDomain } from '../../domain.ts';
import { findProtectedSpans } from '../../protect.ts';
import { flatScores as flat } from './flat-scores.ts';
import { lockedUnits } from './model.ts';
import { selectWords } from './select.ts';
import { signatureBlocks, structureSpans } from './structure.ts';
import { flatPrune, flatPruneResult } from './testing/flat-prune.ts';
import { splitUnits } from './units.ts';

// A document's structure through the selection (review 2, `studio compress FILE --ratio 0.5`
// without a question): every model token is as surprising as the next, so what is kept follows
// from the locks and the line rules alone.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});
const flatScores = (text: string) => flat(text, o200k);
const lines = (text: string) => text.split('\n').filter((l) => l.trim());

describe('a field and its value', () => {
  const FEES = [
    '## Fees (as of 2024-07-01)',
    '- Domestic transfers: free.',
    '- SEPA transfers: free up to 10 per month, then EUR 0.50 each.',
    '- International (SWIFT) transfers: EUR 7.00 flat plus 0.3 % FX margin, only for Premium customers.',
    '- ATM withdrawals abroad: first 3 per month free, then 2 % (minimum EUR 2.00).',
    '- Card replacement: EUR 5.00, free if the card was stolen and a police report number is given.',
    '- Support hours: weekdays from eight in the morning until late in the evening, and Saturdays until noon.',
  ].join('\n');

  // In a document (its lines mostly prose, as a system prompt's), each line is thinned; in a list
  // of facts (the fees alone), each goes or stays whole.
  const PROMPT = [
    '# You are Atlas, the support assistant of Northwind Bank',
    'Write in plain English at a reading level of about grade 8, in short paragraphs.',
    'If the user writes in Spanish or Portuguese, answer in that language.',
    'Explain fees, card controls, transfers, savings goals and the settings of the app.',
    'Never ask for or repeat a full card number, a PIN or a one-time passcode.',
    'Escalate to a human when the user mentions fraud or asks twice for a human.',
    'Outside office hours, say that a human will answer by the next business day.',
    FEES,
  ].join('\n');
  const nlScores = (text: string) => {
    // Locked as a document is (`studio compress` read it as nl: its field labels are spans).
    const s = flatScores(text);
    return { ...s, locked: lockedUnits(text, s.units, { domain: 'nl' }) };
  };

  it('keeps a short value with its label, and "free" as a price (review: "Domestic transfers:" left bare)', () => {
    for (const [text, ratio] of [
      [PROMPT, 0.5],
      [PROMPT, 0.33],
      [FEES, 0.5],
    ] as const) {
      const r = selectWords(nlScores(text), { ratio }, o200k);
      // A document's list items go or stay whole (session 34), as a list's do.
      if (r.text.includes('Domestic')) expect(r.text, `${ratio}`).toContain('- Domestic transfers: free.');
      if (r.text.includes('SEPA')) {
        expect(r.text, `${ratio}`).toMatch(/SEPA transfers: free up to 10/);
        expect(r.text, `${ratio}`).toMatch(/EUR 0\.50 each/);
      }
      // A label's line never ends bare.
      for (const line of lines(r.text)) expect(line, `${ratio}`).not.toMatch(/:\s*$/);
    }
  });

  it('never leaves a label without its value at a harsh ratio', () => {
    const r = selectWords(nlScores(PROMPT), { ratio: 0.15 }, o200k);
    for (const line of lines(r.text)) expect(line).not.toMatch(/:\s*$/);
  });
});

describe('enumerators', () => {
  const CLAUSE = [
    '2. EXCEPTIONS',
    '',
    '2.1 Confidential Information does not include information that:',
    '(a) is or becomes public other than through a breach of this Agreement;',
    '(b) the Recipient already lawfully held before disclosure, as shown by its written records;',
    '(c) the Recipient develops independently without use of the Confidential Information; or',
    '(d) the Recipient receives from a third party that is not under a duty of confidence.',
    '',
    '2.2 The exceptions in 2.1(b) and 2.1(c) do not apply to sensor calibration data.',
  ].join('\n');

  it('keeps "(a)" labels with their item and a capitalised numbered heading (review: 2.2 cited "2.1(b)")', () => {
    const r = selectWords(flatScores(CLAUSE), { ratio: 0.5 }, o200k);
    expect(r.text).toContain('2. EXCEPTIONS');
    for (const label of ['(a)', '(b)', '(c)', '(d)'])
      expect(r.text).toMatch(new RegExp(`^\\${label.slice(0, 2)}\\) \\S`, 'm'));
  });

  it('reads shouted small talk as no heading (review 2: a chat kept "OK SOUNDS GOOD" whole at 0.5)', () => {
    const CHAT = [
      'Dana: Can you send the deck by Friday? The client meets on Monday at 10.',
      'Sam: Sure, I will send it Thursday night after the numbers are final.',
      'OK SOUNDS GOOD',
      'Dana: Also remember the client is allergic to nuts, so no cookies at the meeting.',
      'Sam: Noted, fruit only then.',
    ].join('\n');
    const whole = (text: string) => structureSpans(text).whole.map((s) => text.slice(s.start, s.end));
    expect(whole(CHAT)).toEqual([]);
    expect(whole('Dana: see you then\nTHANKS ALL\n')).toEqual([]);
    for (const ratio of [0.5, 0.33])
      expect(selectWords(flatScores(CHAT), { ratio }, o200k).text).not.toContain('SOUNDS');
    // A heading in capitals stays one, even with a small word of chat in it.
    expect(whole(`THANK YOU NOTES\n${CLAUSE}`)).toContain('THANK YOU NOTES');
    const r = selectWords(flatScores(`THANK YOU NOTES\n${CLAUSE}`), { ratio: 0.5 }, o200k);
    expect(r.text).toContain('THANK YOU NOTES');
  });

  const RECIPE = [
    '## Dal tadka',
    '',
    'Ingredients:',
    '- 250 g yellow split lentils (toor dal), rinsed until the water runs clear',
    '- 1 l water',
    '- 1 tsp turmeric, 1 tsp salt',
    '',
    'Steps:',
    '1. Boil the lentils with turmeric for 25-30 minutes until soft. Add salt at the end, not at the start.',
    '2. Heat the ghee until very hot, add the cumin seeds; when they crackle, add garlic and chillies for 30 seconds.',
    '3. Pour the tadka over the dal and cover at once for 1 minute.',
    '',
    '## Lemon drizzle cake',
    '',
    'Steps:',
    '1. Beat butter and sugar until pale, add eggs one at a time, fold in flour and zest.',
    '2. Soften the onion, carrot and celery in olive oil for 10 minutes over low heat.',
    '3. Mix lemon juice and sugar; pour over the cake while it is still warm, not hot.',
  ].join('\n');

  it("keeps a step's instruction with its quantity, and every step of a method (review: '2. 30 seconds.')", () => {
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(RECIPE), { ratio }, o200k);
      const steps = lines(r.text).filter((l) => /^\d+\. /.test(l));
      // No step goes whole: each method is numbered from 1, with no gap.
      expect(
        steps.map((l) => l.split('.')[0]),
        `${ratio}`,
      ).toEqual(['1', '2', '3', '1', '2', '3']);
      // No step is a bare quantity: a word that is neither a number nor a unit stands by it.
      for (const step of steps)
        expect(step.replace(/^\d+\.\s*/, ''), `${ratio}`).toMatch(/[\p{L}]{3,}(?<!minutes?|seconds?)\b/u);
      expect(r.text, `${ratio}`).toMatch(/^1\. Boil\b/m);
      expect(r.text, `${ratio}`).toMatch(/\badd\b[^\n]*30 seconds/);
      expect(r.text, `${ratio}`).toMatch(/^2\. Soften\b[^\n]*10 minutes/m);
      expect(r.text, `${ratio}`).toMatch(/\bpour\b[^\n]*not hot/);
    }
  });

  it('reads numbered steps under a plain heading as a procedure, and keeps the ingredients beside it (session 36)', () => {
    // "Method" and "Steps" open no procedure before (no colon, no "#"): steps 3-6 went whole at keep 0.33.
    const recipe = [
      'Lemon and Garlic Roast Chicken',
      '',
      'This is our favourite Sunday dinner and it has been in the family for years. The kids love it and it makes the whole house smell wonderful.',
      '',
      'Serves 4. Preparation 20 minutes, cooking 1 hour 30 minutes.',
      '',
      'Ingredients',
      '- 1 whole chicken, about 1.8 kg',
      '- 2 lemons',
      '- 1 kg small potatoes, halved',
      '',
      'Method',
      '1. Heat the oven to 200C (180C fan).',
      '2. Cut one lemon in half and put it inside the chicken with half the garlic cloves.',
      '3. Put the potatoes in a roasting tin, toss them with the oil and season well.',
      '4. Sit the chicken on top of the potatoes, squeeze the second lemon over it and scatter the thyme.',
      '5. Roast for 1 hour 30 minutes, until the juices run clear when you pierce the thickest part of the thigh.',
      '6. Rest the chicken under foil for 15 minutes before carving.',
      '',
      'Notes',
      'The chicken must reach 75C in the thickest part; if you have a meat thermometer, use it. Leftovers keep in the fridge for up to 3 days. My mother always served this with green beans, and so do I.',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(recipe), { ratio }, o200k);
      // Each step, its verb first ("Serves 4." thinned to "4." is no step); at keep 0.33, where the
      // steps take more than half the budget, the steps that say how hot or how long, and the
      // ingredients beside them (session 37).
      for (const [n, verb] of ['Heat', 'Cut', 'Put', 'Sit', 'Roast', 'Rest'].entries())
        if (ratio === 0.5 || [0, 4, 5].includes(n))
          expect(r.text, `${ratio}`).toMatch(new RegExp(`^${n + 1}\\. ${verb}\\b`, 'm'));
      if (ratio === 0.33) expect(r.text).toMatch(/2 lemons/);
      expect(r.text, `${ratio}`).toMatch(/^5\. Roast\b[^\n]*1 hour 30 minutes/m);
      expect(r.text, `${ratio}`).toMatch(/^6\. Rest\b[^\n]*15 minutes/m);
    }
    // Where the words are thinned to meet the ratio anyway, the ingredients do not all go whole in vain.
    expect(flatPrune(recipe, 0.5, o200k)).toMatch(/2 lemons/);
  });

  it('keeps every step of a method whose step wraps over two lines (review of the session)', () => {
    // Before, the wrapped tail of step 1 ended the procedure: steps 2 and 3 could go whole.
    const recipe = [
      'Steps:',
      '1. Soften the onions in olive oil for 10 minutes,',
      '   stirring now and then so they do not catch.',
      '2. Add the rice and toast it well.',
      '3. Pour in the hot stock a ladle at a time.',
      '4. Stir gently and serve.',
      '',
      'Tasting notes: the rice should be creamy, never stiff, and the stock well seasoned before it goes in.',
      'Serve with parmesan and a little butter beaten in at the end, off the heat, for a glossy finish.',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(recipe), { ratio }, o200k);
      const steps = lines(r.text).filter((l) => /^\d+\. /.test(l));
      expect(
        steps.map((l) => l.split('.')[0]),
        `${ratio}: ${r.text}`,
      ).toEqual(['1', '2', '3', '4']);
    }
  });
});

describe('a Chinese chat', () => {
  it('reads a short run of the script before a full-width colon as a speaker, not a long one (review of the session)', () => {
    const text = '用户：你好\n助手：好的，请说。\n请大家注意以下所有的安全规定事项：不要在会场吸烟。';
    const speakers = findProtectedSpans(text, { domain: 'chat' })
      .filter((s) => s.kind === 'speaker')
      .map((s) => text.slice(s.start, s.end).trim());
    expect(speakers).toEqual(['用户：', '助手：']);
  });

  const ZH = [
    '用户: 你好，我下个月要去成都出差，帮我记一下行程。',
    '助手: 好的，请告诉我具体安排。',
    '用户: 我12月3日早上8点20从上海虹桥飞成都天府，航班号MU5401。',
    '助手: 已记录：12月3日 08:20，上海虹桥 → 成都天府，MU5401。',
    '用户: 我不吃辣也不行，其实我能吃一点辣，但是不能吃麻，花椒会让我胃疼。',
    '助手: 了解：可以吃少量辣，但不吃花椒（麻）。',
    '用户: 客户那边的联系人是王磊，电话138 0800 2211。不要给他发微信，他说只用电话或者邮件。',
    '助手: 好的，联系人王磊，电话138 0800 2211，只用电话或邮件联系，不发微信。',
    '用户：哦对，出差预算是每天800元，住宿不包括在内。',
    '助手：记下了：每天预算800元，不含住宿。',
  ].join('\n');

  it('is read as a chat, its labels as speakers, full-width colons too (review: read as prose)', () => {
    expect(classifyDomain(ZH).domain).toBe('chat');
    const units = splitUnits('用户：哦对，出差预算是每天800元。');
    expect(units.map((u) => '用户：哦对，出差预算是每天800元。'.slice(u.word, u.end))).toEqual([
      '用户：',
      '哦对，出差预算是每天800元。',
    ]);
  });

  it('never leaves a bare label, and keeps a turn saying what the user cannot eat', () => {
    for (const ratio of [0.5, 0.33]) {
      const r = selectWords(flatScores(ZH), { ratio }, o200k);
      for (const line of lines(r.text)) expect(line, `${ratio}`).not.toMatch(/^\S{1,8}[:：]\s*$/);
      expect(r.text, `${ratio}`).toContain('不能吃麻，花椒会让我胃疼');
    }
  });
});

describe('an email thread', () => {
  const THREAD = [
    'From: Marta Kowalski <marta.kowalski@brightline-logistics.com>',
    'To: Daniel Reyes <d.reyes@harborfoods.co>',
    'Date: Thu, 14 Nov 2024 16:42:09 +0100',
    'Subject: RE: Q1 cold-chain contract - revised pricing',
    '',
    'Hi Daniel,',
    '',
    'Thanks for the quick turnaround. Priya checked with our Rotterdam depot: we can hold the reefer rate at EUR 1,840 per container for Q1, but only for bookings confirmed at least 10 working days ahead.',
    '',
    'Best regards,',
    'Marta',
    '',
    '--',
    'Marta Kowalski | Key Account Manager',
    'Brightline Logistics B.V. | Wilhelminakade 91, Rotterdam',
    'T +31 10 555 0192 | M +31 6 5550 1187',
    '',
    'On Wed, 13 Nov 2024 at 11:05, Daniel Reyes <d.reyes@harborfoods.co> wrote:',
    '> Hi Marta,',
    '>',
    '> Our volume forecast is 120 containers for Q1, roughly 60% via Rotterdam.',
    '>',
    '> Thanks,',
    '> Daniel',
    '>',
    '> Daniel Reyes',
    '> Procurement Lead, Harbor Foods',
    '> +34 91 555 0148',
    '>',
    '> On Mon, 11 Nov 2024 at 09:30, Priya Nair <priya.nair@brightline-logistics.com> wrote:',
    '>> Quick recap of the call: current reefer rate is EUR 1,920 per container,',
    '>> 3 free detention days at all ports, net 30. Harbor Foods asked for a Q1 fix.',
    '>>',
    '>> --',
    '>> Priya Nair | Operations Planner',
    '>> Brightline Logistics B.V.',
  ].join('\n');

  it('finds the signatures: after a "--" line, and the contact block under a sign-off and its name', () => {
    const blocks = signatureBlocks(THREAD).map((r) => THREAD.slice(r.start, r.end));
    expect(blocks).toEqual([
      '--\nMarta Kowalski | Key Account Manager\nBrightline Logistics B.V. | Wilhelminakade 91, Rotterdam\nT +31 10 555 0192 | M +31 6 5550 1187',
      '> Daniel Reyes\n> Procurement Lead, Harbor Foods\n> +34 91 555 0148',
      '>> --\n>> Priya Nair | Operations Planner\n>> Brightline Logistics B.V.',
    ]);
    expect(signatureBlocks('Thanks,\nDaniel\n\nDaniel Reyes\nBuyer')).toEqual([]);
  });

  it('keeps quote markers, attribution lines and the Subject whole, and drops signatures before the body', () => {
    const r = selectWords(flatScores(THREAD), { ratio: 0.5 }, o200k);
    expect(r.text).toContain('Subject: RE: Q1 cold-chain contract - revised pricing');
    expect(r.text).toContain('On Wed, 13 Nov 2024 at 11:05, Daniel Reyes <d.reyes@harborfoods.co> wrote:');
    expect(r.text).toContain('> On Mon, 11 Nov 2024 at 09:30, Priya Nair <priya.nair@brightline-logistics.com> wrote:');
    // Every line of the nested quote keeps its ">>" (a quoted blank line, ">>" alone, as in the thread:
    // since session 35 the sign-off "Best regards," and "Thanks for the quick turnaround." go whole,
    // and the budget they held keeps such lines too).
    const after = r.text.slice(r.text.indexOf('Priya Nair <'));
    for (const line of lines(after).slice(1)) expect(line).toMatch(/^>>(?: \S|$)/);
    expect(r.text).not.toMatch(/Key Account Manager|Procurement Lead|Operations Planner/);
    const released = r.released.map((x) => THREAD.slice(x.start, x.end));
    expect(released.some((x) => x.includes('Key Account Manager'))).toBe(true);
  });
});

describe('a git log', () => {
  const LOG = [
    'commit 9f3c2a1e7b4d5c6a8e9f0b1c2d3e4f5a6b7c8d9e',
    'Author: Ines Carvalho <ines@tessera.dev>',
    'Date:   Mon Oct 14 17:22:05 2024 +0200',
    '',
    '    Revert "cache: enable Redis cluster mode by default"',
    '',
    '    This reverts commit 4b1d0e2c. Cluster mode broke MULTI/EXEC for the',
    '    session store: keys of one session hash to different slots. Cluster',
    '    mode stays available behind CACHE_CLUSTER=1 but is NOT the default.',
    '',
    'commit 4b1d0e2c8a7f6e5d4c3b2a1908f7e6d5c4b3a291',
    'Author: Jonas Weber <jonas@tessera.dev>',
    'Date:   Fri Oct 11 10:03:41 2024 +0200',
    '',
    '    cache: enable Redis cluster mode by default',
    '',
    '    Our managed Redis moved to cluster mode on 2024-10-09. Single-node',
    '    mode still works for local development, and the staging servers keep',
    '    their own single node until the migration of the queue workers is done.',
    '',
    'commit 7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a',
    'Author: Ines Carvalho <ines@tessera.dev>',
    'Date:   Wed Oct 9 14:48:12 2024 +0200',
    '',
    '    auth: shorten access token lifetime to 15 minutes',
    '',
    '    Access tokens lived 60 minutes; the security review (SEC-88) asked',
    '    for 15. Refresh tokens are unchanged (30 days). Mobile clients older',
    '    than 5.2.0 do not refresh on 401 and will log users out every 15',
    '    minutes, so the API keeps issuing 60-minute tokens to old clients.',
  ].join('\n');

  it("keeps each commit's header lines and subject whole and thins the body (review: 'Author:' lines went)", () => {
    const r = selectWords(flatScores(LOG), { ratio: 0.33 }, o200k);
    const source = LOG.split('\n');
    for (const line of source.filter((l) => /^(?:commit|Author:|Date:)/.test(l))) expect(r.text).toContain(line);
    for (const k of [4, 14, 24]) expect(r.text).toContain((source[k] as string).trim());
    expect(r.text).not.toContain('Single-node mode still works for local development');
  });
});

describe('a Markdown heading (review 3)', () => {
  it('keeps a short heading whole: a title with its number is no bare label', () => {
    // Review 3: a PR page's "# PR #4821: Add retry with jitter ..." went whole at keep 0.5: its
    // words were thinned and "#4821:" was read as a label left bare.
    const page = [
      '# Issue #1377: Export to CSV drops the time zone of every date',
      '',
      'Reported by a customer in Sydney: every date in the CSV export is written without its offset, so a spreadsheet reads them as local times and the totals per day come out shifted by ten or eleven hours depending on daylight saving.',
      '',
      '## Steps to reproduce',
      '',
      'Open any report with dates after midnight UTC, export it to CSV, and open the file in a spreadsheet set to a time zone far from UTC; the rows move to the previous day.',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const r = flatPruneResult(page, ratio, o200k);
      expect(r.text, `${ratio}`).toContain('# Issue #1377: Export to CSV drops the time zone of every date');
      expect(r.text, `${ratio}`).toContain('## Steps to reproduce');
    }
  });
});

describe("a document's fields and paired marks (review 3 leftovers)", () => {
  it("keeps a field's label with any word of its value, French labels too", () => {
    // Review 3: minutes' "Absent : M. Thierry Blanc." read "Thierry Blanc.", one more of those present.
    const minutes = [
      'COMPTE RENDU DE LA RÉUNION DU BUREAU',
      'Association des parents, école Jean Moulin, 12 avenue Foch, Nantes',
      'Séance du jeudi 6 mars 2025, 19 h, salle polyvalente de l’école',
      '',
      'Présents : Mme Anne Leroy (présidente), M. Karim Haddad (trésorier), Mme Julie Morel.',
      'Excusée : Mme Sophie Bernard (pouvoir donné à Mme Leroy).',
      'Absent : M. Paul Martin.',
      'Invitée : Mme Claire Petit, directrice.',
      '',
      'Le quorum étant atteint, la séance est ouverte à 19 h 10.',
      '',
      'ORDRE DU JOUR',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const r = flatPrune(minutes, ratio, o200k);
      expect(r, `${ratio}`).toMatch(/^Absent : .*Paul Martin/m);
      expect(r, `${ratio}`).toMatch(/^Excusée : .*Sophie Bernard/m);
      expect(r, `${ratio}`).toMatch(/^Présents : .*Anne Leroy/m);
    }
  });

  it('keeps both ends of an emphasis or a quote, or neither', () => {
    // Review 3: "_Last updated 2025-11-30 by @dmitri.v. Owner: Payments SRE._" read "2025-11-30
    // @dmitri.v. Payments SRE._"; 'Budget "around CHF 80k/year".' read 'Budget CHF 80k/year".'.
    const page = [
      '# Release checklist',
      '',
      '_Reviewed 2025-10-02 by @sam.k, owner: Mobile Platform._',
      '',
      'Target "about 40 builds a week". The release train leaves every Thursday at noon and the store review usually takes one or two days, so a fix merged on Friday ships the week after.',
    ].join('\n');
    for (const ratio of [0.5, 0.33]) {
      const r = flatPrune(page, ratio, o200k);
      for (const line of r.split('\n')) {
        expect((line.match(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu) ?? []).length % 2, `${ratio}: ${line}`).toBe(0);
        expect((line.match(/"/g) ?? []).length % 2, `${ratio}: ${line}`).toBe(0);
      }
    }
  });
});
