import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter, type TokenCounter } from '../../tokenizers/o200k-counter.ts';
import { terms } from './bm25.ts';
import { parseMemory } from './memory-units.ts';
import { selectForQuery } from './select.ts';
import { isSmallTalk, smallTalkUnits } from './small-talk.ts';

/** A French support chat: the polite turns name the customer, the refund's turns do not. */
const CHAT = [
  'Transcription - Service client MaisonPlus',
  '[09:01] Conseiller (Julien): Bonjour et bienvenue chez MaisonPlus ! Comment puis-je vous aider ?',
  '[09:02] Client (Mme Girard): Bonjour. Mon canapé commandé le 3 octobre est arrivé avec un pied cassé. Commande 77120-4410.',
  '[09:03] Conseiller (Julien): Je suis désolé, Mme Girard. Un instant, je regarde la commande.',
  '[09:05] Conseiller (Julien): Je vois le canapé "Oslo", 899,00 €, livré le 14 octobre par le transporteur.',
  '[09:06] Client (Mme Girard): Je préfère le renvoyer et être remboursée.',
  '[09:08] Conseiller (Julien): Le transporteur passe le reprendre gratuitement. Le remboursement du canapé se fait sur votre carte sous 10 jours après réception.',
  '[09:09] Client (Mme Girard): Et les frais de livraison de 39 € ?',
  '[09:10] Conseiller (Julien): Ils sont aussi remboursés, soit 938,00 € au total.',
  '[09:11] Client (Mme Girard): Non, merci.',
  '[09:11] Conseiller (Julien): Merci à vous, Mme Girard, bonne journée !',
].join('\n');

describe('small talk in query mode (review 3 F-18, F-32)', () => {
  it('reads greetings, thanks and goodbyes as small talk in several languages', () => {
    expect(isSmallTalk('Nein, danke.')).toBe(true);
    expect(isSmallTalk('Gern geschehen! Ich wünsche Ihnen einen schönen Tag, Herr Yılmaz.')).toBe(true);
    expect(isSmallTalk('Merci à vous, Mme Girard, bonne journée !')).toBe(true);
    expect(isSmallTalk('Thanks so much, have a great weekend, Sam!')).toBe(true);
    expect(isSmallTalk('¡Muchas gracias, hasta luego!')).toBe(true);
  });

  it('leaves an answer, a number and a sentence with content alone', () => {
    expect(isSmallTalk('Nein.')).toBe(false);
    // Who did it, or that one does (re-read of session 30).
    expect(isSmallTalk('Sorry, it was me.')).toBe(false);
    expect(isSmallTalk('No, sorry, I do.')).toBe(false);
    expect(isSmallTalk('Thanks, see you at 18:00.')).toBe(false);
    expect(isSmallTalk('Danke, die Fotos sind angekommen.')).toBe(false);
    expect(isSmallTalk('Thanks, the parcel is at the neighbour.')).toBe(false);
  });

  it('reads "Yes, thank you." answering a real question as the answer, after "anything else?" as small talk', () => {
    const answer = parseMemory('Agent: Should I cancel the order?\nCustomer: Yes, thank you.\nAgent: Done.');
    expect(smallTalkUnits(answer).size).toBe(0);
    const closing = parseMemory(
      'Agent: Ihre Erstattung ist veranlasst. Kann ich sonst noch etwas für Sie tun?\nKunde: Nein, danke.\nAgent: Gern geschehen!',
    );
    expect([...smallTalkUnits(closing)].map((i) => closing.units[i]?.text)).toEqual([
      'Kunde: Nein, danke.',
      'Agent: Gern geschehen!',
    ]);
  });

  it('finds the small-talk turns of a chat, not of a document', () => {
    const m = parseMemory(CHAT);
    expect([...smallTalkUnits(m)].map((i) => m.units[i]?.text)).toEqual([
      '[09:11] Client (Mme Girard): Non, merci.',
      '[09:11] Conseiller (Julien): Merci à vous, Mme Girard, bonne journée !',
    ]);
    expect(smallTalkUnits(parseMemory('Dear Ms Lind,\n\nThank you very much.\n\nThe invoice is attached.')).size).toBe(
      0,
    );
  });

  it("finds a message's sign-off and signature, in a chat or a note, not a sentence under a sign-off (review 6)", () => {
    const chat = [
      'Agent (Leo): The target fix time is 48 hours.',
      'Customer (Sam): Thanks.',
      '',
      '--- Follow-up (email), 6 March ---',
      'Hi Sam,',
      'Our engineer replaced a faulty line card on 5 March at 16:20.',
      'Best regards,',
      'Leo Hartmann',
      'Customer Support Specialist',
      'FiberNet Ltd | 0800 123 4567 | support@fibernet.example',
    ].join('\n');
    const m = parseMemory(chat);
    const found = [...smallTalkUnits(m)].map((i) => m.units[i]?.text);
    expect(found).toEqual(
      expect.arrayContaining([
        'Best regards,',
        'Leo Hartmann',
        'Customer Support Specialist',
        'FiberNet Ltd | 0800 123 4567 | support@fibernet.example',
      ]),
    );
    expect(found).not.toContain('Our engineer replaced a faulty line card on 5 March at 16:20.');
    // A note with a letter copied in: its close goes too, the note's own lines stay.
    const note =
      'Landlord replied about the boiler.\nThe engineer comes on Friday at 9.\nKind regards,\nM. Okafor\nLettings Manager\n\nTodo: buy filters.';
    const n = parseMemory(note);
    expect([...smallTalkUnits(n)].map((i) => n.units[i]?.text)).toEqual([
      'Kind regards,',
      'M. Okafor',
      'Lettings Manager',
    ]);
    // The same with Windows line ends (re-read of session 32: none was found in CRLF text).
    const crlf = parseMemory(note.replace(/\n/g, '\r\n'));
    expect([...smallTalkUnits(crlf)].map((i) => crlf.units[i]?.text.trim())).toEqual([
      'Kind regards,',
      'M. Okafor',
      'Lettings Manager',
    ]);
    // A sentence under the sign-off ("P.S. ...") leaves the close as it was.
    const ps = parseMemory('The code is ready.\nThanks,\nAna\nP.S. The door code is 4411.');
    expect(smallTalkUnits(ps).size).toBe(0);
  });

  it('reads no French or German question word as a term: "Combien" and "Wie" match greetings', () => {
    expect(terms('Wie viel Geld bekommt Herr Yılmaz zurück?')).not.toContain('wie');
    // Accents off (bm25.ts foldLatin): "réunion" and "reunion" are one term.
    expect(terms('Quand a lieu la réunion ?')).toEqual(['lieu', 'la', 'reunion']);
    // English words spelt like a German or French one stay.
    expect(terms('The die was cast in the war')).toEqual(['die', 'cast', 'war']);
  });

  describe('selectForQuery', () => {
    let count: TokenCounter;
    beforeAll(async () => {
      count = await o200kCounter();
    });

    it('keeps the refund turns, the follow-up and its answer, not the goodbyes', async () => {
      const r = await selectForQuery(CHAT, {
        query: "Combien d'argent Mme Girard récupère-t-elle pour le remboursement ?",
        budget: Math.floor(0.45 * count(CHAT)),
        count,
        style: 'telegraphic',
      });
      expect(r.text).toContain('938,00 €');
      expect(r.text).not.toContain('bonne journée');
      expect(r.text).not.toContain('Non, merci');
    });
  });
});
