import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { phraseSpans } from './index.ts';
import { CLOCK_TIME, DAY_PART, dayTimeWord, isConstraint, safetySpans, TIME_WORD, WEEKDAY } from './lexicon.ts';
import { romanceLanguage } from './romance-language.ts';
import { flatPruneResult } from './testing/flat-prune.ts';

// Selection is pure: every model token gets the same surprisal, so what is kept follows from the
// word classes and the locked spans alone.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const negated = (text: string) =>
  phraseSpans(text)
    .filter((p) => p.kind === 'negation')
    .map((p) => text.slice(p.start, p.end));

const prune = (text: string, ratio: number) => flatPruneResult(text, ratio, o200k);

describe('negations of Spanish, Italian and Portuguese', () => {
  // Review: a Spanish building diary at keep 0.5 came back whole, "the model's output was not used
  // (dropped-protected): 1 protected span(s) missing: "no aplica"": the pruner never locked Spanish
  // "no", and the check refused an output that said the penalty applies.
  const diary = [
    '14 de mayo de 2025',
    'Semana 12 de obra. Todavía falta la encimera y la pintura del salón. Rafa dice que el retraso de la viga fue culpa del proveedor y que la penalización no aplica; nosotros creemos que sí aplica según la cláusula 7 del contrato.',
    '',
    '15 de abril de 2025',
    'Fontanería del baño terminada. Ducha de obra con mampara fija de 90 cm. No se pone bañera. Marta no está contenta porque perdemos una semana, y nadie nos avisa de los retrasos.',
    '',
    '3 de marzo de 2025',
    'La comunidad de vecinos se queja del ruido. Acordamos que no se trabaje antes de las 9:00 ni los sábados.',
  ].join('\n');

  it('tells the three languages from English and French', () => {
    expect(romanceLanguage(diary)).toBe('es');
    expect(romanceLanguage('Il cliente non vuole la cipolla e non mangia mai carne di maiale, ma il pesce sì.')).toBe(
      'it',
    );
    expect(romanceLanguage('O cliente não come carne de porco nem bebe álcool, mas gosta muito de peixe.')).toBe('pt');
    expect(romanceLanguage('The shop takes no cards and the non-profit meets on Mai Tran’s birthday.')).toBeUndefined();
    expect(romanceLanguage('Elle ne boit pas de café après 14 h, sinon elle ne dort pas le matin.')).toBeUndefined();
  });

  it('locks each negation with what it reaches, where the text is in its language', () => {
    const spans = negated(diary);
    for (const phrase of [
      'no aplica',
      'No se pone bañera',
      'no está contenta porque perdemos una semana',
      'nadie nos avisa de los retrasos',
      'ni los sábados',
    ])
      expect(spans, phrase).toContain(phrase);
    expect(spans.some((s) => s.startsWith('no se trabaje'))).toBe(true);
    expect(negated('Il cliente non mangia carne di maiale e non vuole mai la cipolla nel piatto.')).toEqual([
      'non mangia carne di maiale',
      'non vuole mai la cipolla nel piatto',
      'mai la cipolla nel piatto',
    ]);
    expect(negated('O cliente não come carne de porco nem bebe álcool, mas gosta muito de peixe.')).toContain(
      'nem bebe álcool',
    );
    expect(negated('Il a dit que non, rien à faire.')).toEqual(['rien à faire']);
    // English words, a name and a prefix stay what they are in English.
    // English "no" is read as English: a determiner, with the noun it denies ("no cards"), never past
    // the "and" that opens the next clause.
    expect(negated('No worries, the shop takes no cards and the non-profit meets on Friday.')).toEqual(['no cards']);
    expect(negated('We met Mai Tran at the airport and Mai booked the hotel.')).toEqual([]);
  });

  it('keeps every "no" with its verb at keep 0.5, near the ratio asked', () => {
    const r = prune(diary, 0.5);
    // A sentence goes whole or keeps its negation whole (a diary's sentences can go whole, session 34):
    // where a word said only in the sentence is kept, so is the negation with its verb.
    const sentences = diary.split(/(?<=[.!?;])\s+|\n/);
    for (const phrase of ['no aplica', 'No se pone bañera', 'no está contenta', 'nadie nos avisa', 'ni los sábados']) {
      const sentence = sentences.find((s) => s.includes(phrase)) as string;
      const own = sentence
        .split(/\s+/)
        .filter((w) => w.length >= 5 && !phrase.includes(w) && diary.split(w).length === 2);
      if (own.some((w) => r.text.includes(w)) || sentence.startsWith(phrase)) expect(r.text, r.text).toContain(phrase);
    }
    expect(r.ratio).toBeLessThanOrEqual(0.55);
    expect(r.ratio).toBeGreaterThanOrEqual(0.4);
  });
});

describe('"from X to Y" between names, places and numbers', () => {
  const spans = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));

  it('locks the "from" and "to" of a move between two names (review)', () => {
    // Review: "We moved from Sweden to Canada in 2019." came out "moved Sweden Canada 2019", which
    // way the move went unsaid.
    expect(spans('We moved from Sweden to Canada in 2019.')).toContain('from Sweden to Canada');
    expect(spans('She flew from Rio de Janeiro to Lisbon last spring.')).toContain('from Rio de Janeiro to Lisbon');
    expect(spans('Revenue grew from Q1 to Q3.')).toContain('from Q1 to Q3');
    for (const ratio of [0.5, 0.33])
      expect(
        prune('We moved from Sweden to Canada in 2019, and my sister flew from Oslo to Lima.', ratio).text,
      ).toMatch(/from Sweden to Canada.*from Oslo to Lima/);
    // Between ISO days and other dates written with dashes or slashes (review 2: a dated memory's
    // "on parental leave from 2024-07-01 to 2024-10-31" read "parental leave 2024-07-01 2024-10-31").
    expect(spans('User is on parental leave from 2024-07-01 to 2024-10-31; no work tasks.')).toContain(
      'from 2024-07-01 to 2024-10-31',
    );
    expect(spans('Closed from 24/12 until 02/01.')).toContain('from 24/12 until 02/01');
    // Between two sums of money, the currency before the figure (session 39: a landlord's "the monthly
    // rent will rise from £1,150 to £1,210" read "monthly rent £1,150 £1,210", a bank's "from £3 to
    // £5" read "£3 £5": which is the new amount unsaid).
    expect(spans('The fee will increase from £3 to £5 a month.')).toContain('from £3 to £5');
    expect(spans('Her salary went from EUR 42,000 to EUR 45,500 in May.')).toContain('from EUR 42,000 to EUR 45,500');
    expect(spans('Tickets go from $ 12.50 to $ 15.')).toContain('from $ 12.50 to $ 15');
    for (const ratio of [0.5, 0.33])
      expect(
        prune('From 1 May the monthly rent will rise from £1,150 to £1,210, as the tenancy agreement allows.', ratio)
          .text,
      ).toContain('from £1,150 to £1,210');
    // Not between common words, nor across a line.
    expect(spans('I got an email from Ana to the whole team.').some((s) => s.startsWith('from'))).toBe(false);
    expect(spans('Ana: I drove from Paris\nBen: to Rome?').some((s) => s.startsWith('from'))).toBe(false);
  });
});

describe('English "no" before a noun, exceptions and conditions (review 2)', () => {
  const fees =
    'Exception: Premium customers pay no flat fee, only the FX margin. Swiss and UK customers are not in scope: no VAT charged. Discontinued; no restock planned.';

  it('locks a determiner "no" with the noun phrase it denies, not an answer\'s "no"', () => {
    // Review: at keep 0.5 this read "Premium customers FX margin. Swiss UK not in scope: VAT Discontinued;".
    expect(negated(fees)).toEqual(expect.arrayContaining(['no flat fee', 'no VAT charged', 'no restock planned']));
    expect(negated('- No known food allergies.\n- No parking spots for employees.')).toEqual([
      'No known food allergies',
      'No parking spots for employees',
    ]);
    // In dialogue too, when it is a determiner; an interjection ("No,", "No worries", "No I") is none.
    const chat = "Ana: No worries!\nBen: No, I didn't go.\nAna: No I did not. We have no plans yet.\nBen: No.";
    expect(negated(chat).filter((s) => /^no\b/i.test(s))).toEqual(['no plans yet']);
    for (const ratio of [0.5, 0.33]) {
      const r = prune(fees, ratio).text;
      for (const phrase of ['no flat fee', 'no VAT charged', 'no restock planned']) expect(r, r).toContain(phrase);
    }
  });

  it('locks the whole short clause a subject\'s "no" denies: "No X may contain Y" (review 3)', () => {
    // Review 3: "No checked baggage may contain lithium power banks; these must be in the cabin."
    // read "No checked baggage may", what it may not contain gone.
    const rules = 'No hand luggage may contain knives or scissors longer than 6 cm; pack those in the hold.';
    expect(negated(rules)).toContain('No hand luggage may contain knives or scissors longer than 6 cm');
    expect(negated('No pets are allowed in the rooms, except guide dogs.')).toContain(
      'No pets are allowed in the rooms',
    );
    // A noun phrase with no verb after it keeps the narrow reach.
    expect(negated('We have no plans yet for the summer.')).toContain('no plans yet');
  });

  it('locks a French correction "et non ..." with what it denies (review 3)', () => {
    // Review 3: "la date de l'assemblée générale est le 12 mars 2026 et non le 5 mars" read "12 mars 2026 5 mars".
    expect(negated('La livraison est prévue le 4 juin et non le 28 mai.').join(' ')).toMatch(/et non le 28 mai/);
  });

  it('locks a condition before its main clause and a modal of doubt (review 3)', () => {
    // Review 3: "If one partition's lag keeps growing while the others are at 0, delete that one pod"
    // read "keeps growing 0, delete pod"; "result may be falsely raised" read "result falsely raised".
    const runbook = 'If the disk stays above 90 % after the cleanup job, page the storage on-call.';
    const locked = negated(runbook).join(' ');
    // The condition's words and its action's verb and object; not the rest of the action.
    for (const w of ['If', 'disk', 'stays', '90', 'cleanup', 'page', 'storage']) expect(locked).toContain(w);
    expect(negated('Sample left overnight; the glucose may be falsely lowered.')).toContain('may be falsely lowered');
    expect(negated('Dana might have moved to Porto by now.')).toContain('might');
    // A state in doubt is a participle, not any word ending in "ed" (review of the session).
    expect(negated('You may be red in the face after the run.').join(' ')).not.toContain('red');
  });

  it('locks an exception or a condition with what it reaches, within its sentence', () => {
    const nda = [
      '4.1 This Agreement lasts 2 years from the date above. The obligations in clause 3 survive for 5 years after it ends, except for source code, for which they survive indefinitely.',
      '1.3 Contractors are Representatives only if bound by written confidentiality terms at least as protective as this Agreement.',
      '6.1 This Agreement is governed by the laws of Ireland. The courts of Dublin have exclusive jurisdiction, except that either party may seek an injunction in any competent court.',
      '- Never tell the user their account balance unless they are authenticated (`session.level >= 2`).',
    ].join('\n\n');
    const r = prune(nda, 0.5).text;
    expect(r, r).toMatch(/except for source code, which survive indefinitely\./);
    expect(r, r).toMatch(/Contractors Representatives only if bound written confidentiality/);
    expect(r, r).toMatch(/except that party may seek injunction competent court\./);
    expect(r, r).toMatch(/unless authenticated \(`session\.level >= 2`\)/);
    // A negation's object and its alternative, not the next sentence's word (review: "Do NOT promise
    // refunds or chargebacks. You may say that a dispute "can be opened"" read "NOT promise refunds
    // or dispute").
    expect(
      negated('- Do NOT promise refunds or chargebacks. You may say that a dispute "can be opened" and how.'),
    ).toEqual(['Do NOT promise refunds or chargebacks']);
  });

  it('keeps a cap or a floor with its number', () => {
    // Review: a catalog's "Max 1 per customer at the sale price." read "1".
    const spans = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));
    expect(spans('Sale price valid until 2024-11-15. Max 1 per customer at the sale price.')).toContain(
      'Max 1 per customer',
    );
    expect(spans('Minimum 2 nights, maximum 6 guests.')).toEqual(expect.arrayContaining(['Minimum 2', 'maximum 6']));
  });
});

// The shared day and time vocabulary (WEEKDAY, DAY_PART, CLOCK_TIME, TIME_WORD) and the pruner's
// constraint rule built on it. The query path's calendar facts and the turn rule's plans are pinned
// beside their own tests (query/select.test.ts, turn-value.test.ts).

const whole = (...parts: string[]) => new RegExp(`^${dayTimeWord(...parts)}$`, 'iu');

describe('the day and time vocabulary', () => {
  it('reads weekdays in five languages, plural, German compounds and English abbreviations', () => {
    const day = whole(WEEKDAY);
    for (const w of [
      'Wednesday',
      'Mondays',
      'mercredi',
      'lundis',
      'miércoles',
      'sábados',
      'Mittwoch',
      'mittwochs',
      'Freitagnachmittag',
      'woensdag',
      'Tue',
      'Thurs.',
      'Fri',
    ])
      expect(day.test(w), w).toBe(true);
    // "Mon", "Wed", "Sat" and "Sun" only before a date or a time, or in a range of days.
    const inText = new RegExp(dayTimeWord(WEEKDAY), 'iu');
    for (const s of ['Wed 14:00', 'Sat 3 May', 'Mon-Fri', 'Sun – Mon']) expect(inText.test(s), s).toBe(true);
    for (const s of ['in the sun', 'she sat down', 'sun-dried tomatoes', 'we wed in June', 'Friedrich', 'Sundance'])
      expect(inText.test(s), s).toBe(false);
  });

  it('reads parts of the day, clock times and days said from today', () => {
    for (const w of ['mornings', 'matin', 'après-midi', 'tarde', 'abends', 'nachmittags', 'avonds', 'weekdays'])
      expect(whole(DAY_PART).test(w), w).toBe(true);
    for (const w of ['08:30', '9 am', '9 p.m.', '15h', '10h30', '10 Uhr', '10 uur'])
      expect(whole(CLOCK_TIME).test(w), w).toBe(true);
    // Not a clock: no such hour or minute, a duration in hours, a price.
    for (const w of ['25:00', '10:75', '4hrs', '12.50']) expect(whole(CLOCK_TIME).test(w), w).toBe(false);
    for (const w of ['tomorrow', 'demain', "aujourd'hui", 'gestern', 'vandaag', 'noon'])
      expect(whole(TIME_WORD).test(w), w).toBe(true);
    // German and Dutch "here", a MIDI keyboard.
    for (const w of ['hier', 'midi']) expect(whole(TIME_WORD).test(w), w).toBe(false);
  });
});

describe('isConstraint', () => {
  it('reads a negated day or time as a constraint, in English as before', () => {
    for (const line of [
      '- Not available on Wednesday mornings',
      '- Prefers meetings in the morning, never before 08:30',
      '- Do not call after 9 pm',
      '- No calls before 10.30',
      '- Fridays after 15:00 are off-limits for work meetings',
      '- Keep answers short, no more than 150 words',
    ])
      expect(isConstraint(line), line).toBe(true);
    for (const line of [
      '- Lives in Utrecht, not far from the station',
      '- Do not sit in the sun without a hat',
      '- Never eats sun-dried tomatoes',
      '- Ran the marathon in 3:45 last year',
    ])
      expect(isConstraint(line), line).toBe(false);
  });

  it('reads one in the other languages of the vocabulary, and a day said to be unavailable', () => {
    for (const line of [
      '- Pas le mercredi matin',
      '- Ne jamais appeler avant 10h',
      '- Bitte nie vor 10 Uhr anrufen',
      '- Mittwochvormittags nicht verfügbar',
      '- Nooit op maandag',
      "- Nooit 's avonds bellen",
      '- Nunca los domingos por la tarde',
      '- Wednesday mornings: not available',
      '- Not available Mon-Fri',
    ])
      expect(isConstraint(line), line).toBe(true);
    for (const line of [
      '- Habite à Lyon, pas loin de la gare',
      '- Wohnt nicht weit vom Bahnhof',
      '- Un faux pas le samedi soir',
    ])
      expect(isConstraint(line), line).toBe(false);
  });
});

describe('what a rule, a preference or a correction turns on (review 3 leftovers)', () => {
  it("locks a negated verb's pronoun object with its qualifier, and what a semicolon adds to a prohibition", () => {
    // Review 3: "Do not renew it from the on-call laptop; the private key lives in Vault only" read
    // "not renew Vault"; "do not delete the pod; page the secondary and wait" lost what to do instead.
    const kb =
      'Do not copy it to a personal drive; the export holds patient names. Never restart the broker; drain the node and wait.';
    const locked = negated(kb);
    expect(locked).toContain('Do not copy it to a personal drive');
    for (const w of ['export', 'holds', 'patient', 'names', 'drain', 'node', 'wait']) expect(locked).toContain(w);
    const r = prune(kb, 0.33).text;
    expect(r, r).toContain('Do not copy it to a personal drive; export holds patient names.');
    expect(r, r).toMatch(/drain node wait\./);
  });

  it("locks a pronoun object's particle, not a preposition, after a negated verb", () => {
    // Review 3: "do not turn it on for all merchants before Monday 9 December" read "not turn Monday 9
    // December" (later "not turn it"): which way the flag goes was gone.
    expect(negated('Do not switch it off for any customer.').join(' ')).toContain('not switch it off for any customer');
    expect(negated('Do not put it on the shelf.')).toContain('Do not put it on the shelf');
  });

  it('reaches past a "to" infinitive to what it is done to: "Do not try to reset your password"', () => {
    // Session 38 (F13): an IT notice's "Do not try to reset your password during the outage." read
    // "Do not try to reset", and the next sentence's "VPN" came to read as what not to reset.
    expect(negated('Do not try to reset your password during the outage.').join(' ')).toContain(
      'Do not try to reset your password',
    );
    expect(negated('Never attempt to lift the panel without help.').join(' ')).toContain('attempt to lift the panel');
    // A "to" that opens no verb is read as before: "not go to the office" reaches "office".
    expect(negated('I will not go to the office on Friday.').join(' ')).toContain('not go to the office');
  });

  it('reads a long run of spaces in linear time, and still finds the phrases around it (re-read of session 39)', () => {
    const text = `Do not eat it.${' '.repeat(200_000)}Take it every 2 hours.`;
    const started = performance.now();
    const spans = phraseSpans(text).map((p) => text.slice(p.start, p.end));
    // Patterns looking back over blanks rescanned the run at each of its blanks: 20,000 spaces took
    // 7 s, so 200,000 minutes. The bound is loose for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(spans).toContain('Do not eat it');
    expect(spans).toContain('every 2 hours');
  });

  it('reaches over a preposition of place or time to its noun, never ending on the preposition', () => {
    // Session 39: with the reach past "to reset", "Do not try to reset your password during the outage.
    // VPN access is not affected." read "Do not try to reset your password during VPN not affected":
    // "during" (content to the lexicon) was taken for the object's compound head.
    expect(negated('Do not try to reset your password during the outage.')).toEqual([
      'Do not try to reset your password during the outage',
    ]);
    expect(negated('Do not use the ladder near overhead power lines.')).toEqual([
      'Do not use the ladder near overhead power lines',
    ]);
    // A preposition with nothing after it in the clause: the reach ends on the object.
    expect(negated('Please do not park your car outside.')).toEqual(['Please do not park your car']);
  });

  it('reaches past a number or a compound head to the qualifier that limits a ban in time or place', () => {
    // Session 40 (s39 N8 class): "Do not park in bay 4 during the works" read "Do not park in bay 4",
    // a ban for the works read as one for good: the reach ended on the number after the object.
    expect(negated('Do not park in bay 4 during the works.')).toEqual(['Do not park in bay 4 during the works']);
    expect(negated('Do not use the lift B until further notice.')).toEqual([
      'Do not use the lift B until further notice',
    ]);
    expect(negated('Do not use electric heaters during the works.')).toEqual([
      'Do not use electric heaters during the works',
    ]);
    // No qualifier after it: the reach ends on the number as before.
    expect(negated('Do not park in bay 4. Bay 5 is free.')).toEqual(['Do not park in bay 4']);
  });
  it('reaches past a ban\'s second verb to its object: "smoke or drink *alcohol*" (session 41)', () => {
    // Session 40 W1: a dentist's "Do not smoke or drink alcohol for at least 48 hours" was locked as
    // "Do not smoke or drink", and the note came back without "alcohol": what may not be drunk unsaid.
    expect(negated('Do not smoke or drink alcohol.')).toEqual(['Do not smoke or drink alcohol']);
    expect(negated('Do not lift or carry the baby.')).toEqual(['Do not lift or carry the baby']);
    expect(negated('Never eat or drink anything after midnight.')).toEqual([
      'Never eat or drink anything after midnight',
    ]);
    // An alternative of the object itself is kept as before.
    expect(negated('Do NOT promise refunds or chargebacks. You may say that.')).toEqual([
      'Do NOT promise refunds or chargebacks',
    ]);
  });
  it('locks what a preference is for, a name\'s particle and the half a ", not" is set against', () => {
    // Review 3: "User prefers female dentists. Previous dentist: Tandartspraktijk Oudegracht (moved
    // away)." read "prefers Tandartspraktijk Oudegracht moved"; "Dr. de Vries" read "Dr. Vries"; "Use my
    // work email for the confirmation, not the gmail one" read "not the gmail one".
    expect(negated('Client prefers morning calls. Old number: disconnected.')).toContain('prefers morning calls');
    const names = phraseSpans('Lunch with Prof. van der Berg, then Ana da Silva and Hassan bin Ali.')
      .filter((p) => p.kind === 'name')
      .map((p) => 'Lunch with Prof. van der Berg, then Ana da Silva and Hassan bin Ali.'.slice(p.start, p.end));
    expect(names).toEqual(expect.arrayContaining(['van der', 'da', 'bin']));
    const note = 'Send the invoice to the billing address in Leeds, not the office. Merge with a squash, not a rebase.';
    const locked = negated(note);
    for (const w of ['Send', 'invoice', 'billing', 'address', 'squash']) expect(locked).toContain(w);
    const r = prune(note, 0.33).text;
    expect(r, r).toMatch(/Send invoice billing address Leeds, not the office\./);
  });

  it('locks a word that says a thing went or ends, with what and from where', () => {
    // Review 3: "Offset pagination was removed in v3" read "(`page=`) v3", "The label URL expires after
    // 7 days" "URL after 7 days", "v2 is deprecated; it will be switched off on 2026-03-31" "v2 switched".
    const notes =
      'The CSV export was removed in v4. Session tokens expire hourly; a refresh token expires after 12 hours. The v1 API is deprecated and will be switched off in June. The index file is missing from the release.';
    const locked = negated(notes);
    expect(locked).toEqual(
      expect.arrayContaining([
        'removed in v4',
        'expires after 12 hours',
        'deprecated',
        'switched off in June',
        'missing from the release',
      ]),
    );
    // In the other languages users write in: "Le devis Dupuis est écarté" had read "Le Dupuis".
    const other = negated(
      'Le devis Martin est écarté : trop cher. Der Termin wurde storniert. El vuelo fue cancelado.',
    );
    expect(other).toEqual(expect.arrayContaining(['écarté', 'storniert', 'cancelado']));
    // Not a chat's "it turned out fine": no end of anything.
    expect(negated('It turned out fine in the end.')).toEqual([]);
  });

  it('locks the subject of a French "ne ... pas"', () => {
    // Review 3: "les encombrants ne doivent pas être déposés" read "les ne doivent pas être déposés",
    // "l'entreprise ne fournit pas d'attestation" "Le Dupuis ne fournit pas".
    const locked = negated(
      "Les vélos ne doivent pas rester dans le hall. Le badge d'accès ne fonctionne plus. L'ascenseur ne s'arrête pas au 3e.",
    );
    expect(locked).toEqual(expect.arrayContaining(['vélos', "badge d'accès", "L'ascenseur"]));
    // A pronoun is no noun to add.
    expect(negated('Il ne vient pas demain.').join(' ')).not.toContain('Il');
  });

  it('reads a condition of an action, not a past-tense story, as a condition', () => {
    // A "When" or "Once" of narration locked a story's words as a rule's (review 3 leftovers).
    expect(negated('When I was a kid, we lived in Porto with my grandparents.')).toEqual([]);
    expect(negated('Once we moved to Lyon, my sister started school there.')).toEqual([]);
    const locked = negated('When the queue is over 500 messages, scale the workers up.').join(' ');
    for (const w of ['When', 'queue', 'scale', 'workers']) expect(locked).toContain(w);
  });

  it('locks the street word of an address after its number', () => {
    // Review 3: "14 rue des Acacias" read "14 Acacias".
    const text = 'Les bureaux sont au 14 rue des Acacias, 69003 Lyon, et au 3 calle de Alcalá à Madrid.';
    const names = phraseSpans(text)
      .filter((p) => p.kind === 'name')
      .map((p) => text.slice(p.start, p.end));
    expect(names).toEqual(expect.arrayContaining(['14 rue des', '3 calle de']));
  });
});

describe('what a denial or a condition is about (review 3 leftovers)', () => {
  it("locks an English negation's short subject", () => {
    // Review 3: "1. The dead-letter insert is not idempotent." read "1. The not idempotent.".
    const locked = negated(
      "2. The retry queue is not durable. The session cookie never expires. The old token isn't valid.",
    );
    for (const w of ['retry', 'queue', 'session', 'cookie', 'old', 'token']) expect(locked).toContain(w);
    // A pronoun is no subject to add, nor a clause longer than three words.
    expect(negated("I'm not sure about it.")).toEqual(['not sure']);
    expect(negated('The new build on the staging server is not ready.')).toEqual(['not ready']);
  });

  it('locks a condition\'s "at once" and the action after a colon', () => {
    // Review 3: "If more than three banks fail at once, it is us: declare SEV1." read "If more than
    // three banks fail once, SEV1."
    const r = prune(
      'Check the status page first. If two regions fail at once, it is the provider: open a P1 ticket.',
      0.33,
    ).text;
    expect(r, r).toContain('If two regions fail at once, provider: open P1 ticket.');
  });
});

describe('a bound with a currency between it and its amount', () => {
  const spans = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));

  it('locks the bound with any currency the quantities know, not four of them', () => {
    // "Cash above EUR 500" read "Cash EUR 500" (review 3); the bound's list of currencies was its
    // own, shorter than quantities.ts's, so "under SEK 500" lost its "under".
    expect(spans('Refunds under SEK 500 are paid in cash.')).toContain('under SEK 500');
    expect(spans('Claims above ¥20,000 need a receipt.')).toContain('above ¥20,000');
    expect(spans('Cash above EUR 500 is declared.')).toContain('above EUR 500');
  });
});

describe('headings in capitals (review 5, F-20)', () => {
  const spans = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));

  it('keeps a heading in capitals over the table or text under it, and the paragraph break before it', () => {
    const text = [
      'Note: Co-codamol is not prescribed because of the codeine intolerance. Avoid NSAIDs while on apixaban.',
      '',
      'INVESTIGATIONS (selected)',
      '| Test | 21/10 | 24/10 | Units |',
      '|---|---|---|---|',
      '| CRP | 212 | 96 | mg/L |',
      '',
      'FOLLOW-UP',
      'The patient should see her GP within one week for a blood test and a review of the antibiotics.',
    ].join('\n');
    expect(spans(text)).toEqual(expect.arrayContaining(['INVESTIGATIONS (selected)', 'FOLLOW-UP']));
    // Capitals inside a sentence, or a line of capitals with nothing under it, are no heading.
    expect(spans('We met at the NHS TRUST office today.\n\nOK THEN')).not.toContain('OK THEN');
    const out = prune(text, 0.5).text;
    expect(out).toContain('\n\nINVESTIGATIONS (selected)\n|');
  });
});

describe('phraseSpans on a long run without spaces', () => {
  // Session 33: a safety word's stem ("\p{L}*allerg") and a test's words before its result were
  // tried at every letter, each try running to the end of the run: 18,000 CJK characters in one run
  // took about 6 s, 50,000 minutes. Linear now; the bound is loose for a loaded machine.
  it('reads 50,000 CJK characters in well under 2 s, and still finds an allergy in the run', () => {
    const run = '我们明天去北京看长城然后回家吃饭'.repeat(3200);
    const text = `${run}她对花生过敏${run.slice(0, 1000)}`;
    const t = performance.now();
    const spans = phraseSpans(text);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(spans.some((p) => text.slice(p.start, p.end).includes('过敏'))).toBe(true);
  });

  it('still reads a stem inside a word from its start ("hypoallergenic") and a result after its test', () => {
    const text = 'Uses hypoallergenic soap. Troponin negative x2.';
    const got = phraseSpans(text).map((p) => text.slice(p.start, p.end));
    expect(got).toEqual(expect.arrayContaining(['Uses hypoallergenic soap', 'Troponin negative']));
  });
});

describe('a range, a part of a whole (session 33, a status report at keep 0.5)', () => {
  const covered = (text: string, phrase: string) =>
    phraseSpans(text).some((p) => {
      const at = text.indexOf(phrase);
      return p.start <= at && p.end >= at + phrase.length;
    });

  it('locks a range between two dates or numbers without its "from"', () => {
    // "30 November to 9 December" had read "30 November 9 December".
    expect(covered('- User acceptance testing: 30 November to 9 December', '30 November to 9 December')).toBe(true);
    expect(covered('Furniture arrives between 14 and 18 March; IT needs it.', 'between 14 and 18 March')).toBe(true);
    expect(covered('Open Monday to Wednesday only.', 'Monday to Wednesday')).toBe(true);
    // Not "to" after a word that is no time.
    expect(covered('Walk 5 minutes to the station.', '5 minutes to the station')).toBe(false);
  });

  it('locks a range of days or hours in French, Spanish, Italian, Portuguese and German with its two prepositions', () => {
    // Sessions 38-39: "del 3 al 7 de noviembre" read "3 7 de noviembre", "de 8 h à 16 h" "8 h 16 h":
    // the glue went first and the range read as two numbers.
    expect(covered('El ascensor estará fuera de servicio del 3 al 7 de noviembre.', 'del 3 al 7')).toBe(true);
    expect(covered("L'électricité sera coupée le 8 mai de 8 h à 16 h.", 'de 8 h à 16 h')).toBe(true);
    expect(covered('A piscina estará encerrada de 2 a 16 de maio.', 'de 2 a 16')).toBe(true);
    expect(covered('O horário passa a ser das 9h às 20h.', 'das 9h às 20h')).toBe(true);
    expect(covered('La scuola resta chiusa dal 3 al 7 aprile, dalle 8 alle 16.', 'dalle 8 alle 16')).toBe(true);
    expect(covered('Warmwasser gibt es nur von 6 bis 9 Uhr.', 'von 6 bis 9 Uhr')).toBe(true);
    expect(covered('Vom 9. bis 13. Oktober wird die Heizung abgeschaltet.', 'Vom 9. bis 13.')).toBe(true);
    // Not a count and a preposition that opens something else: "2 a la semana".
    expect(covered('Tomar de 2 comprimidos a la semana.', 'de 2 comprimidos a')).toBe(false);
  });

  it('locks a part with its whole, what it counts and what is said of it', () => {
    // "EUR 412,000 of EUR 600,000" had read "EUR 412,000 EUR 600,000"; "Two of the five testers are
    // on leave" "five testers".
    expect(covered('Spent to date: EUR 412,000 of EUR 600,000 (69 %).', 'EUR 412,000 of EUR 600,000')).toBe(true);
    expect(covered('Two of the five testers are on leave in December.', 'Two of the five testers are on leave')).toBe(
      true,
    );
    expect(covered('Satisfaction 7.8 out of 10 this quarter.', '7.8 out of 10')).toBe(true);
    expect(
      covered('The budget is GBP 48,000 of which GBP 31,500 is committed.', 'of which GBP 31,500 is committed'),
    ).toBe(true);
    // "one of the best" counts nothing.
    expect(covered('He is one of the best.', 'one of the')).toBe(false);
  });
});

describe("an allergy's list of what it is to (re-read of session 34)", () => {
  const spans = (t: string) => safetySpans(t).map((s) => t.slice(s.start, s.end));
  it('locks every item of the list, up to its "and" or "or", and no clause after a comma', () => {
    // Four words after "allergic" had locked "allergic to penicillin and to": the gloves went.
    expect(spans('He is allergic to penicillin and to latex gloves. The dressing was changed.')).toEqual([
      'He is allergic to penicillin and to latex gloves',
    ]);
    expect(spans('She is allergic to penicillin, latex and shellfish, says her mother.')).toEqual([
      'She is allergic to penicillin, latex and shellfish',
    ]);
    // A comma with no "and" after it ends the allergy: "says her mother" is no allergen.
    expect(spans('She is allergic to penicillin, says her mother.')).toEqual(['She is allergic to penicillin']);
  });
});

describe('a time phrase (session 36)', () => {
  const spans = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));

  it('locks a part of a month, a quarter or a year with its preposition, and early / late / mid before a period', () => {
    // A status report's "on leave in the first week of December" read "on leave December" at keep 0.5.
    expect(spans('Two of the five testers are on leave in the first week of December.')).toContain(
      'in the first week of December',
    );
    expect(spans('The remaining 800 scanners arrive in the second half of April.')).toContain(
      'in the second half of April',
    );
    expect(spans('Resurfacing is done in the first two weeks of May.')).toContain('in the first two weeks of May');
    expect(spans('The last sites go live by end of Q3.')).toContain('by end of Q3');
    expect(spans('Get a second quote before the end of January.')).toContain('before the end of January');
    expect(spans('Leeds goes live early next month.')).toContain('early next month');
    expect(spans('Tiles arrive mid-March.')).toContain('mid-March');
    // The end of what is no period is no time phrase.
    expect(spans('At the end of the day, in the middle of the road, the first half of the match.')).toEqual([]);
    const status =
      'Risks\nTwo of the five testers are on leave in the first week of December, and the bank may not certify us.';
    expect(prune(status, 0.5).text).toContain('in the first week of December');
  });
});

describe('the doing a duration measures (session 37)', () => {
  const spans = (t: string) => phraseSpans(t).map((s) => t.slice(s.start, s.end));
  it('locks the word in -ing before a duration, through a "for" and a bound', () => {
    // Thinned, "cooking for 10 minutes" read "for 10 minutes", and a recipe's "Preparation 20
    // minutes, cooking 1 hour 30 minutes" two times of nothing.
    expect(spans('Slice the onions and fry them, cooking for 10 minutes.')).toContain('cooking');
    expect(spans('Preparation 20 minutes, cooking 1 hour 30 minutes.')).toContain('cooking');
    expect(spans('She has been painting for three years.')).toContain('painting');
    expect(spans('She has been painting for at least 3 years.')).toContain('painting');
    expect(spans('every morning for 3 days')).not.toContain('morning');
    expect(spans('The painting was sold for 3 million.')).not.toContain('painting');
  });
});

describe("a step's verb before its duration (re-read of session 37)", () => {
  const spans = (t: string) => phraseSpans(t).map((s) => t.slice(s.start, s.end));
  it('locks the imperative opening a sentence whose duration follows a "for" within three words', () => {
    // Thinned, a recipe's "Roast for 1 hour 30 minutes" read "1 hour 30 minutes," and "Rest under
    // foil for 15 minutes" "foil 15 minutes" at keep 0.5.
    expect(spans('Heat the oven to 200C.\nRoast for 1 hour 30 minutes, basting twice.')).toContain('Roast');
    expect(spans('Roast it. Rest under foil for 15 minutes before carving.')).toContain('Rest');
    expect(spans('Simmer for about ten minutes.')).toContain('Simmer');
    // Not a word inside its sentence, nor one too far from the duration.
    expect(spans('We then Roast for 5 minutes.')).not.toContain('Roast');
    expect(spans('Keep the dough in the fridge, covered, for 2 hours.')).not.toContain('Keep');
  });
});

describe('an order not to do something (session 38)', () => {
  it('keeps the "Do" of a "Do not" that opens a sentence or a list item with its negation', () => {
    // Thinned, a recall's "Do not eat it." read "not eat it.", a heater's "Do not cover the heater."
    // "not cover the heater.", a job offer's "Do not resign ..." "not resign ...": a statement, not
    // an order.
    expect(negated('Stop using this product immediately. Do not eat it.')).toContain('Do not eat it');
    expect(negated('Do not cover the heater.')).toContain('Do not cover the heater');
    expect(negated('- Do not use in bathrooms')).toContain('Do not use in bathrooms');
    // A school letter's "Please do not send nuts" read "Please not send nuts".
    expect(negated('Children must bring a packed lunch. Please do not send nuts.')).toContain(
      'Please do not send nuts',
    );
    // Not a "do not" inside a sentence: its subject says who does not.
    expect(negated('Shops do not take cards.')).not.toContain('do not take cards');
  });
});

describe('how often, and for how long at first (session 39)', () => {
  const spans = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));

  it('locks "every" with its count of hours, days or weeks, and "for the first 48 hours"', () => {
    // Eye drops' "put one drop into the affected eye every 2 hours for the first 48 hours" read "put
    // one affected 2 hours 48 hours", and a kettle's "Descale every four weeks" "four weeks" (sessions
    // 38-39): a dose's frequency read as a duration.
    const leaflet = 'Put one drop into the affected eye every 2 hours for the first 48 hours, then 4 times a day.';
    expect(spans(leaflet)).toEqual(expect.arrayContaining(['every 2 hours', 'for the first 48 hours']));
    expect(spans('Descale the kettle every four weeks.')).toContain('every four weeks');
    for (const ratio of [0.5, 0.33]) {
      const out = prune(leaflet, ratio).text;
      expect(out, out).toContain('every 2 hours');
      expect(out, out).toContain('first 48 hours');
    }
  });
});
