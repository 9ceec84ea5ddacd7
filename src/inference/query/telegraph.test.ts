import { describe, expect, it } from 'vitest';
import { exactWords } from './exact-spans.ts';
import { isClosedClass, properNames, telegraph, telegraphHeader } from './telegraph.ts';

describe('telegraph', () => {
  it("drops a one-word bold label's stars, and only a one-word label's (session 30's re-read)", () => {
    expect(telegraph('> **Caution:** Drain the node first.')).toBe('> Caution: Drain node first');
    expect(telegraph('- **Due:** 30 May')).toBe('- Due: 30 May');
    // A bold run of more words is emphasis: both ends stay, the closing one handed on when its word goes.
    expect(telegraph('**Note: read this** before you start.')).toBe('**Note: read** before start');
    expect(telegraph('**2.1 Plans — monthly.** Paid each month.')).toContain('**2.1 Plans — monthly.**');
  });

  it("keeps who a title's preposition names, who a header is with, and a name's alias (review 4)", () => {
    // With a question, "**9.3 By us — without notice.**" read "By —" and "Messages with Dad" "Messages
    // Dad"; a Mem0 record's "goes by Cilla" read "goes Cilla".
    expect(telegraph('**4.1 Ended by you — at any time.** You may close your account.')).toContain(
      '**4.1 Ended by you — time.**',
    );
    expect(telegraph('**4.2 By them.** They may end it.')).toContain('By them.**');
    expect(telegraph('Chat with Grandma (+33 6 12 34 56 78)')).toBe('Chat with Grandma (+33 6 12 34 56 78)');
    expect(telegraph('Full name is Theodore Banks, goes by Teddy')).toContain('goes by Teddy');
    // A turn's "for you" is a chat's glue still.
    expect(telegraph('Jo: I am so happy for you!', 'Jo:')).toBe('Jo: happy');
  });

  it('keeps a "yes" that answers an item, with its comma (review 3: "fish yes, no meat" read "fish no meat")', () => {
    expect(telegraph('Updated: pescatarian (fish yes, no meat, no chicken).')).toContain('fish yes, no meat');
    expect(telegraph('Tom: Pets allowed: yes, on a lead.', 'Tom:')).toContain('allowed: yes,');
    // A "yes" opening a sentence, or after an interjection, answers nothing written there.
    expect(telegraph('Jo: Yes, the hotel has parking.', 'Jo:')).toBe('Jo: hotel parking');
    expect(telegraph('Jo: Oh yes, I went to the park.', 'Jo:')).not.toContain('yes');
  });

  it('drops the glue and keeps the facts, the label untouched', () => {
    expect(telegraph('Melanie: We took the kids camping in the mountains.', 'Melanie:')).toBe(
      'Melanie: took kids camping mountains',
    );
  });

  it("keeps a contraction with 'will': a plan is not a thing done", () => {
    expect(telegraph("Ben: I'll send the pricing memo to the board by Friday.", 'Ben:')).toBe(
      "Ben: I'll send pricing memo board Friday",
    );
    expect(telegraph("Keep at it and you'll find the perfect opportunity.", null)).toContain("you'll find");
  });

  it("hands a dropped word's closing bracket, quote or sentence end to the word before it", () => {
    // Seen in the audit: "[shares a photo: ... on it]" lost its "]", "Perfect, okay!" ended on a comma.
    expect(telegraph('Jo: Look! [shares a photo: a photo of a tattoo with a quote on it]', 'Jo:')).toBe(
      'Jo: Look! [photo: tattoo quote]',
    );
    expect(telegraph('Jo: Perfect, okay!', 'Jo:')).toBe('Jo: Perfect');
    // "(It was for him.)" goes whole with its opener: no closer is left without one.
    expect(telegraph('Jo: We went on a trip. (It was that.)', 'Jo:')).toBe('Jo: went trip');
    // A bracket or quote a dropped word opened goes to the next kept word (review: '"a bit of a
    // mess"' read 'bit mess"').
    expect(telegraph('Jo: We went (by train, with him).', 'Jo:')).toBe('Jo: went (train)');
    expect(telegraph('Jo: We went [by train, with him].', 'Jo:')).toBe('Jo: went [train]');
  });

  it('keeps the small words a fact turns on: a direction, a cause, a dosage, a negation ending its clause (review)', () => {
    // Review: "moved from prod-us to prod-eu" read "moved prod-us prod-eu", "salbutamol inhaler as
    // needed" "salbutamol inhaler needed", "closed because of fraud, not because of late payments"
    // "closed fraud not late payments", "abandoned it after 80 pages, not for me. Met Rhys" "... not Met Rhys".
    expect(telegraph('The notifications service moved from prod-us to prod-eu.')).toBe(
      'notifications service moved from prod-us to prod-eu',
    );
    expect(telegraph('She uses a salbutamol inhaler as needed.')).toBe('uses salbutamol inhaler as needed');
    expect(telegraph('The account was closed because of fraud, not because of late payments.')).toBe(
      'account closed because fraud not because late payments',
    );
    expect(telegraph("Started 'The Overstory', abandoned it after 80 pages, not for me. Met Rhys for a pint.")).toBe(
      "Started 'The Overstory' abandoned after 80 pages not. Met Rhys pint",
    );
    // A "from" with no "to" in its clause is as before: kept before a name or a number only.
    expect(telegraph('We heard from them, to be honest.')).toBe('heard honest');
  });

  it('keeps a short quotation as written: a shortened quote is a false one (review)', () => {
    // Review: '"Just a nice lunch and no fuss" were her exact words' read '"nice lunch no fuss" exact words'.
    expect(telegraph('Ana: "Just a nice lunch and no fuss" were her exact words.', 'Ana:')).toBe(
      'Ana: "Just a nice lunch and no fuss" exact words',
    );
    expect(telegraph('Bob: She called it "a bit of a mess".', 'Bob:')).toBe('Bob: called "a bit of a mess"');
    expect(telegraph('Jo: She said “see you at it” twice.', 'Jo:')).toBe('Jo: said “see you at it” twice');
    // A quotation of more than 20 words is telegraphed as the rest (an unclosed quote too).
    const long = `"${'we will look at the plan for the team and '.repeat(3).trim()}"`;
    expect(telegraph(`Jo: She said ${long}.`, 'Jo:')).not.toContain('the plan');
    expect(telegraph('Jo: She said "we will see about the plan', 'Jo:')).toBe('Jo: said "see plan');
  });

  it('keeps the closed-class words that carry a fact where they stand (review)', () => {
    const t = (line: string) => telegraph(line, line.split(' ')[0] ?? null, { speakers: ['ana', 'ben', 'sam', 'tom'] });
    for (const [line, want] of [
      // "not this week" read "not week", "this year" "year".
      [
        'Ana: Lena is visiting from Berlin next week, not this week.',
        'Ana: Lena visiting from Berlin next week not this week',
      ],
      ['Sam: I moved to Lisbon this year, not last year.', 'Sam: moved Lisbon this year not last year'],
      // "until then in Porto" read "until Porto".
      ['Sam: I lived here since 2019, until then in Porto.', 'Sam: lived here since 2019, until then Porto'],
      // A tier's next price, and "only then" (review 2).
      [
        'Ana: SEPA transfers are free up to 10 per month, then EUR 0.50 each.',
        'Ana: SEPA transfers free up to 10 per month then EUR 0.50 each',
      ],
      ['Ana: The first 3 are free, then 2 % each.', 'Ana: first 3 free then 2 % each'],
      ['Ben: Wait for the invoice, and only then book.', 'Ben: Wait invoice only then book'],
      ['Ben: You may not share any of it with anyone.', 'Ben: may not share any with anyone'],
      // A sentence-initial "US" is no pronoun.
      ['Ben: US regions are not acceptable for the data.', 'Ben: US regions not acceptable data'],
      // Who did it: the pronoun a relative clause is about.
      ['Ben: It was me who deleted the backup, not Tom.', 'Ben: me who deleted backup not Tom'],
      ['Ana: Hers is delayed by 40 min.', 'Ana: Hers delayed by 40 min'],
      ['Tom: It was $5,400, should be $4,050.', 'Tom: $5,400, should $4,050.'],
      // A semicolon parts two clauses.
      ['Ana: The lab is booked; Priya is the second reviewer.', 'Ana: lab booked; Priya second reviewer'],
      // Elsewhere they are glue as before.
      ['Sam: I got it from my mum this way.', 'Sam: got mum way'],
    ] as const)
      expect(t(line), line).toBe(want);
  });

  it('drops the punctuation a reader does not need, and keeps what tells one fact from the next', () => {
    // A sixth of a telegraphic LoCoMo memory was commas, full stops and exclamation marks that no
    // longer close a parsed sentence; the room they took holds more turns at the same budget.
    expect(telegraph('Mel: Hey Caroline! Good to see you, really. How are you?', 'Mel:')).toBe(
      'Mel: Caroline Good see you How?',
    );
    expect(telegraph('We went to Paris, Rome, and Oslo, then home.')).toBe('went Paris Rome Oslo home');
    // A boundary nothing else shows stays: "9 am tired" would be another fact. The "I" opening the
    // next sentence stays in a line no speaker opens, "tired" else Dana's (review 6); "I" is a
    // capital everywhere, so the stop stays before it.
    expect(telegraph('Dana swims before 9 am. I am tired.')).toBe('Dana swims before 9 am. I tired');
    // A question is no statement; a number's and an abbreviation's marks are the number's.
    expect(telegraph('Did you go camping? We saw 3, 4 or 5 bears in the U.S.')).toBe(
      'go camping? We saw 3, 4 or 5 bears U.S.',
    );
    expect(telegraph('Jo: Look! [shares a photo: a photo of a tattoo with a quote on it]', 'Jo:')).toBe(
      'Jo: Look! [photo: tattoo quote]',
    );
  });

  it("drops a session header's list of speakers in other languages too (review 4: 'Lucía y Andrés')", () => {
    expect(
      telegraphHeader('Sesión 3 (21:10, 9 de febrero de 2025): Lucía y Andrés', new Set(['Lucía', 'Andrés'])),
    ).toBe('Sesión 3 (21:10, 9 de febrero de 2025):');
    expect(telegraphHeader('Sitzung 2 (3. März 2025): Jonas und Mia', new Set(['Jonas', 'Mia']))).toBe(
      'Sitzung 2 (3. März 2025):',
    );
  });

  it("drops a session header's list of participants when each of them speaks in the memory", () => {
    const speakers = new Set(['Caroline', 'Melanie', 'Dr. Lee']);
    expect(telegraphHeader('Session 3 (1:56 pm on 8 May, 2023): Caroline and Melanie', speakers)).toBe(
      'Session 3 (1:56 pm 8 May 2023):',
    );
    expect(telegraphHeader('Session 2: Caroline, Melanie & Dr. Lee', speakers)).toBe('Session 2:');
    // Someone who never speaks is news the turns do not carry; a date or a time is not a name.
    expect(telegraphHeader('Session 2: Caroline and Bob', speakers)).toBe('Session 2: Caroline and Bob');
    // The date's glue goes whatever the list: the hour, the day, the month and the year stay.
    expect(telegraphHeader('Session 4 (10:37 am on 27 June, 2023): Caroline and Bob', speakers)).toBe(
      'Session 4 (10:37 am 27 June 2023): Caroline and Bob',
    );
    expect(telegraphHeader('Session 5 (3 July, 2023):', speakers)).toBe('Session 5 (3 July 2023):');
    expect(telegraphHeader('Session 7: 10:15', speakers)).toBe('Session 7: 10:15');
    expect(telegraphHeader('## 2024-03-01', speakers)).toBe('## 2024-03-01');
  });

  it('keeps the "every" of a recurrence: "Tuesday" alone is one day', () => {
    // Seen with `studio compress --query` on a runbook: "Deploys happen every Tuesday after the
    // standup" came back as "Deploys happen Tuesday after standup".
    expect(telegraph('Deploys happen every Tuesday after the standup, and each week we review them.')).toBe(
      'Deploys happen every Tuesday after standup each week review',
    );
    expect(telegraph('Every one of them came, every bit of it.')).toBe('one came bit');
  });

  it('keeps the word that bounds a number: a range, a comparison, an estimate', () => {
    // Found by use: "the p95 latency went down from 340 ms to 95 ms" read "340 ms 95 ms".
    expect(telegraph('- the p95 latency went down from 340 ms to 95 ms after the cache was added.')).toBe(
      '- p95 latency went down from 340 ms to 95 ms after cache added',
    );
    expect(telegraph('It handles about 1,200 requests per second, more than 50,000 a day.')).toBe(
      'handles about 1,200 requests per second more than 50,000 a day',
    );
    expect(telegraph('Jon: I paid over $40 for it, up to 3 times a week.', 'Jon:')).toBe(
      'Jon: paid over $40 up to 3 times a week',
    );
    // The bound's first word, a range's "and", and a number opened by a sign (review).
    expect(telegraph('We need at least 5 chairs, at most 4 hours, between 5 and 10 a day, about ~1,200 in all.')).toBe(
      'need at least 5 chairs at most 4 hours between 5 and 10 a day about ~1,200 all',
    );
    expect(telegraph('Jon and Ann went to 3 shows and 2 concerts.')).toBe('Jon Ann went to 3 shows 2 concerts');
    // Bounds of three words keep all three (review: "as many as 40" came out "as 40").
    expect(telegraph('As many as 40 people came, no more than 3 stayed, as much as $5 each, fewer than 10 left.')).toBe(
      'As many as 40 people came no more than 3 stayed as much as $5 each fewer than 10 left',
    );
    // A number spelled out is bounded as digits are (found by use: "at least two weeks ahead" read
    // "least two weeks ahead", "about twenty dollars" "twenty dollars").
    expect(telegraph('Ask at least two weeks ahead; it costs about twenty dollars, at most three people.')).toBe(
      'Ask at least two weeks ahead; costs about twenty dollars at most three people',
    );
    // Not before a number: glue. ("as much as I could")
    expect(telegraph('I ran as much as I could.')).toBe('ran much');
    // Before a word, not a number, they are glue as ever.
    expect(telegraph('Jon: We went to the park from the station.', 'Jon:')).toBe('Jon: went park station');
  });

  it('keeps the words that carry a condition, a comparison or a recurrence, and drops a filler phrase whole', () => {
    // Review: "if" and "than" carry the meaning (a condition, a comparison), "every quarter" a
    // recurrence, and "by the way" goes whole, not leaving its "way".
    for (const [line, want] of [
      ['If the primary does not answer, page the secondary.', 'If primary not answer page secondary'],
      ['Fewer than half had been before, better than last year.', 'Fewer than half before better than last year'],
      ['The list is updated every quarter by the team lead.', 'list updated every quarter team lead'],
      ['I signed up for a pottery class, by the way.', 'signed up pottery class'],
    ] as const)
      expect(telegraph(line), line).toBe(want);
  });

  it('keeps the "you" of a stock formula, where the verb alone reads as a fragment', () => {
    // Review: "Thank you!" came back "Thank", "See you, Mel!" "See".
    const t = (line: string) => telegraph(line, 'Mel:', { speakers: ['mel', 'jon'] });
    for (const [line, want] of [
      ['Mel: Thank you!', 'Mel: Thank you'],
      ['Mel: See you, Jon!', 'Mel: See you'],
      ['Mel: See you later!', 'Mel: See you later'],
      ['Mel: Love you! Miss you.', 'Mel: Love you Miss you'],
      ['Mel: Thank you so much for the tickets.', 'Mel: Thank you much tickets'],
      // Elsewhere "you" is glue as before.
      ['Mel: Did you see the match?', 'Mel: see match?'],
      ['Mel: I told you so.', 'Mel: told'],
    ] as const)
      expect(t(line), line).toBe(want);
  });

  it('keeps a short statement whose pronoun is its fact (review: "dave: me, sorry" lost the "me" that answered who)', () => {
    const t = (line: string) => telegraph(line, 'Dave:', { speakers: ['dave', 'mel'] });
    for (const [line, want] of [
      ['Dave: It was me.', 'Dave: It was me'],
      ['Dave: Who won? It was me. I got a cup!', 'Dave: Who won? It was me. got cup'],
      ['Dave: Not me.', 'Dave: Not me'],
      ['Dave: Me too!', 'Dave: Me too'],
      ['Dave: Me, sorry about that.', 'Dave: Me sorry about that'],
      // ... or where one is (review: "On my way" read "way", "i'm on in 10" "10").
      ['Dave: On my way!', 'Dave: On my way'],
      ["Dave: i'm on in 10", "Dave: i'm on in 10"],
      // A question's pronoun, a vocative and a longer sentence's pronoun are glue as before.
      ['Dave: How are you?', 'Dave: How?'],
      ['Dave: Thanks, Mel!', 'Dave: Thanks'],
      ['Dave: I told you so.', 'Dave: told'],
      ['Dave: We took the kids camping with them.', 'Dave: took kids camping'],
    ] as const)
      expect(t(line), line).toBe(want);
  });

  it('keeps a title\'s point: it ends no sentence (review: "Dr. Rossi," read "Dr Rossi")', () => {
    expect(telegraph('My doctor is Dr. Rossi, Via Roma 12.')).toBe('doctor Dr. Rossi Via Roma 12.');
    expect(telegraph('We met Mrs. Okafor at St. Mary church.')).toBe('met Mrs. Okafor St. Mary church');
  });

  it('keeps the "am" of a time: after a number it is no verb', () => {
    // Seen on a list of facts: "Dana dislikes meetings before 9 am." came back as "... before 9."
    expect(telegraph('Dana dislikes meetings before 9 am. I am tired.')).toBe(
      'Dana dislikes meetings before 9 am. I tired',
    );
    expect(telegraph('We met at 10:30 AM and at 7 a.m. too.')).toBe('met 10:30 AM 7 a.m. too');
    expect(isClosedClass('am', false, '9')).toBe(false);
    expect(isClosedClass('am', false, 'I')).toBe(true);
  });

  it('drops a vocative, the name a speaker calls the other by, and keeps a name said about someone', () => {
    // The memory's two speakers (a third would make a name say who is asked: kept, see below).
    const t = (line: string, speakers = ['caroline', 'melanie']) =>
      telegraph(line, line.slice(0, line.indexOf(':') + 1), { speakers });
    expect(t('Melanie: Caroline, you are doing an awesome job!')).toBe('Melanie: doing awesome job');
    expect(t('Caroline: Hey Mel! I ran a charity race.')).toBe('Caroline: ran charity race');
    expect(t('Caroline: Thanks, Melanie! The race sounds great.')).toBe('Caroline: Thanks! race sounds great');
    expect(t('Jon: I will be by your side, Caroline.', ['jon', 'caroline'])).toBe('Jon: side');
    expect(t('Melanie: Wow, Caroline! That is great!')).toBe('Melanie: great');
    // Said about someone, not to them: the fact keeps its name. So does a list of people.
    expect(t('Melanie: I met Jon at the gym. Jon, Caroline and I went hiking.')).toBe(
      'Melanie: met Jon gym Jon Caroline went hiking',
    );
    // Review: a name that only begins a speaker's is someone else ("Carol", "Joan"; "May" a month),
    // unless a greeting or thanks calls it; a name alone after a question answers it.
    expect(t('Caroline: I met my new neighbor, Carol.')).toBe('Caroline: met new neighbor Carol');
    expect(t('Caroline: Our baby girl has a name now, Joan.', ['caroline', 'joanna'])).toBe(
      'Caroline: baby girl name now Joan',
    );
    expect(t('Caroline: When is the wedding? May.')).toBe('Caroline: When wedding? May');
    expect(t('Melanie: Guess who won the race? Jon!')).toBe('Melanie: Guess who won race? Jon');
    // The address words are the pruner's (vocatives.ts), not a shorter copy (review): "Good morning,
    // Mel!" and "Thank you, Mel!" call her too.
    expect(t('Caroline: Good morning, Mel! The race went well.')).toBe('Caroline: Good morning! race went');
    expect(t('Caroline: Thank you, Mel! I loved it.')).toBe('Caroline: Thank you! loved');
    // Without the speakers' names nothing is taken for a vocative.
    expect(telegraph('Melanie: Caroline, you are doing an awesome job!', 'Melanie:')).toBe(
      'Melanie: Caroline doing awesome job',
    );
  });

  it('keeps "his" for its noun, a verb\'s particle, who someone is, and a line\'s own end (review)', () => {
    const t = (line: string) => telegraph(line, line.split(' ')[0] ?? null, { speakers: ['ana', 'ben', 'tom'] });
    expect(t('Ben: Her flight lands at 6, his at 8.')).toBe('Ben: flight lands 6, his 8.');
    expect(t('Ben: That book is his. His car is red.')).toBe('Ben: book his. car red');
    // "in" / "on" as the verb's particle: dropped, "break them in" read "break", "log in" "log".
    expect(t('Ana: The new boots hurt, I need to break them in before the hike.')).toBe(
      'Ana: new boots hurt need break in before hike',
    );
    expect(t('Ana: I logged in at 5. Come in. What are you working on?')).toBe(
      'Ana: logged in 5. Come in What working on?',
    );
    // As a preposition it is glue still.
    expect(t('Ana: Put it in the box on the shelf.')).toBe('Ana: Put box shelf');
    // Review: "He'll be my sponsor; Priya is the second reviewer" read "sponsor; Priya second reviewer".
    expect(t("Tom: He'll be my sponsor; Priya is the second reviewer.")).toBe(
      "Tom: He'll be my sponsor; Priya second reviewer",
    );
    expect(t("Tom: She's my sister. You are my hero!")).toBe("Tom: She's my sister You are my hero");
    expect(t('Tom: He is happy with my plan.')).toBe('Tom: happy plan');
    // Review: an email's salutation on its own line ran into its first sentence ("Karen Thanks notes").
    expect(telegraph('Karen,\nThanks for the notes. The launch moves to May 3.')).toBe(
      'Karen\nThanks notes. launch moves May 3.',
    );
  });

  it('keeps who acts, how numbers relate and whole names (review of a meeting, notes and a chat export)', () => {
    // A vocative is glue only when there is one other to call: in a meeting it names the owner.
    expect(telegraph('Jo: Mike, you own that.', 'Jo:', { speakers: ['jo', 'mike', 'ravi'] })).toBe('Jo: Mike own');
    expect(telegraph('Jo: Mike, you own that.', 'Jo:', { speakers: ['jo', 'mike'] })).toBe('Jo: own');
    // Outside a turn, "I" opening a clause inside a sentence is its own subject.
    expect(telegraph('Olek earns £96,000, I earn £58,000 and I pay the rent.')).toBe(
      'Olek earns £96,000, I earn £58,000 I pay rent',
    );
    expect(telegraph('I paid the rent.')).toBe('paid rent');
    // Between numbers, after a price, between alternatives.
    expect(telegraph('We converted 118 of 180 models, 2 or 3 a day.')).toBe('converted 118 of 180 models 2 or 3 a day');
    expect(telegraph('Six sessions, €55 each. We send a replacement or a refund.')).toBe(
      'Six sessions €55 each We send replacement or refund',
    );
    // The small words inside a name.
    expect(
      telegraph('We stayed at Casa do Conto and watched The Lord of the Rings with people from Bank of America.'),
    ).toBe('stayed Casa do Conto watched The Lord of the Rings people from Bank of America');
    expect(telegraph('Jon and Ann went to the park.')).toBe('Jon Ann went park');
  });

  it('copies code, a tag and an SQL statement as written (review: commas and small words went from them)', () => {
    // Review: a CHANGELOG's "(`{ attempts, backoffMs }`)" read "(`{ attempts backoffMs }`)".
    expect(
      telegraph('- The `retry` option now takes an object (`{ attempts, backoffMs }`) instead of a number.'),
    ).toContain('`retry` option now takes object (`{ attempts, backoffMs }`) instead number');
    expect(telegraph('Run `settle --force` only on a day that is not settled.')).toContain('`settle --force`');
    // An SQL statement in a tool call's JSON string lost the comma after "load_date".
    const sql =
      "SELECT load_date, COUNT(*) AS rows FROM sales.fact_orders WHERE load_date IN ('2025-03-09','2025-03-10') GROUP BY 1 ORDER BY 1";
    expect(telegraph(sql)).toBe(sql);
    expect(telegraph(`I ran ${sql}; it was slow.`)).toBe(`ran ${sql}; slow`);
    // A tag's attributes: `source="#ask-hr Slack, 2024-11-04 (informal)"` lost its comma.
    const tag = '<doc id="slack-hr-2024-11" source="#ask-hr Slack, 2024-11-04 (informal)">';
    expect(telegraph(tag)).toBe(tag);
    expect(telegraph(`${tag}Someone asked whether the contractors get leave.`)).toBe(
      `${tag}Someone asked whether contractors get leave`,
    );
    // A call with its arguments, braces, a fenced block, and a line's indent.
    expect(telegraph('Maya: it checks invoice.total == sum(line.amount for line in lines)', 'Maya:')).toBe(
      'Maya: checks invoice.total == sum(line.amount for line in lines)',
    );
    expect(telegraph('The template is {{ name }}, {{ the date }} at the top.')).toBe(
      'template {{ name }}, {{ the date }} top',
    );
    expect(telegraph('Kofi: here it is:\n```python\nfor line in the lines: print(line, end=None)\n```', 'Kofi:')).toBe(
      'Kofi: here\n```python\nfor line in the lines: print(line, end=None)\n```',
    );
    expect(telegraph('- Packing\n  - the tent and a stove')).toBe('- Packing\n  - tent stove');
    // Prose is telegraphed as before: "select" and "from" in lowercase are words, not SQL.
    expect(telegraph('Select a date from the list.')).toBe('Select date list');
  });

  it('copies a line of code pasted outside a fence as written: a block opened, a statement ended (session 40 F5)', () => {
    // Before: a chat's `Maya: while (true) {` (an unfenced poller pasted in a turn) came back as
    // `(true) {`, its `while` dropped as prose's conjunction.
    for (const [line, label] of [
      ['Maya: while (true) {', 'Maya:'],
      ['Lena: function total(items) {', 'Lena:'],
      ['  for (const job of jobs) await run(job);', null],
      ['  items.reduce((sum, i) => sum + i.price, 0);', null],
      ['} else if (attempt > 5) {', null],
    ] as const)
      expect(telegraph(line, label)).toBe(line);
    // Prose ending on a semicolon or holding a bracket is telegraphed as before.
    expect(telegraph('Sam: I booked the flight (the early one) for 9; it was cheap.', 'Sam:')).not.toContain(' the ');
  });

  it('reads a line as code in time linear in its length: turns of 200,000 brackets (review of session 41)', () => {
    // Closing brackets alone, with a `;` or `,` after them, are code as written.
    for (const line of ['});', '  ]),', '}', ')));']) expect(telegraph(line)).toBe(line);
    expect(telegraph('Sam: ) and then ) x', 'Sam:')).not.toBe('Sam: ) and then ) x');
    // Read by one pattern, each backtracked over every bracket of the line: 60,000 took 10 s.
    const started = performance.now();
    for (const body of ['('.repeat(200_000), '='.repeat(200_000), ')'.repeat(200_000)])
      expect(telegraph(`Ann: ${body} x`, 'Ann:')).toContain(' x');
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 60_000);

  it('drops a reaction closing a line, not a line that is one (review)', () => {
    // Review: "Kofi: ... not Decimal. nice" kept its "nice".
    expect(
      telegraph('Kofi: the start value matters, otherwise an empty invoice returns int 0 not Decimal. nice', 'Kofi:'),
    ).toBe('Kofi: start value matters otherwise empty invoice returns int 0 not Decimal');
    expect(telegraph('Sam: I booked the flight for 9. Cool, thanks!', 'Sam:')).toBe('Sam: booked flight 9.');
    expect(telegraph('Sam: nice', 'Sam:')).toBe('Sam: nice');
    // The object that went keeps its sentence's stop: "booked Nice?" would be a booking of Nice.
    expect(telegraph('Sam: I booked it. Nice?', 'Sam:')).toBe('Sam: booked. Nice?');
  });

  it('keeps the "was" that opens a bracket: what came before', () => {
    expect(telegraph('Owner: Jonas Okafor (was Tom Fairley until 2025-11-01) | SE: Mei Lin')).toBe(
      'Owner: Jonas Okafor (was Tom Fairley until 2025-11-01) | SE: Mei Lin',
    );
    expect(telegraph('Caroline: It was a great day at the beach.', 'Caroline:')).toBe('Caroline: great day beach');
  });

  it('keeps the stop of a sentence whose closing object pronoun went, before a name (review 4)', () => {
    // "Lars thinks should take Maja" read as Lars's view of Maja, and Ingrid's decision went with it.
    expect(
      telegraph(
        "Ingrid: Lars thinks I should take it. Maja thinks I shouldn't. Henrik thinks I'm already doing it.",
        'Ingrid:',
      ),
    ).toBe("Ingrid: Lars thinks should take. Maja thinks shouldn't. Henrik thinks already doing");
    // Given the memory's names, only a name takes the stop: a capital that only opens a sentence
    // shows the break.
    const names = properNames(['We fly to Nice in May.', 'Maja thinks so, and so does Lars.']);
    expect([...names].sort()).toEqual(['lars', 'may', 'nice']);
    // A list's marker is no word: "- Went to Oslo" names Oslo, not "went".
    expect([...properNames(['- Went to Oslo in May.', '1. Booked Nice'])].sort()).toEqual(['may', 'nice', 'oslo']);
    expect(telegraph('Sam: I booked it. Nice?', 'Sam:', { names })).toBe('Sam: booked. Nice?');
    expect(telegraph('Sam: I booked it. Great?', 'Sam:', { names })).toBe('Sam: booked Great?');
    // A sentence that ends on a word it keeps still leaves the break to the capital.
    expect(telegraph('Ingrid: I looked at flats in Torshov. Rents are terrifying.', 'Ingrid:')).toBe(
      'Ingrid: looked flats Torshov Rents terrifying',
    );
  });

  it('leaves no label inside a line bare: its words all gone, it goes too (review)', () => {
    // Review: a sentence "Sam: ok." read as prose came back "Sam", its "ok" glue and its colon with it.
    expect(telegraph('Sam: ok.')).toBe('Sam: ok.');
    expect(telegraph('Dana: I moved to Lisbon Sam: ok', 'Dana:')).toBe('Dana: moved Lisbon');
    // A label ending its sentence as written introduces what follows.
    expect(telegraph('Here is the list. Items:')).toBe('Here list Items:');
  });

  it('reads shouted prose as prose, not SQL, and telegraphs it (review)', () => {
    // Review: a sign's line in capitals was taken for an SQL statement (SELECT ... FROM within reach)
    // and copied as written; its capitals kept "THE" and "FROM" as names too.
    const shout = 'PLEASE SELECT THE BEST OPTION FROM THE MENU BELOW AND UPDATE YOUR PROFILE';
    expect(exactWords(shout.split(' ')).size).toBe(0);
    expect(telegraph(shout)).toBe('PLEASE SELECT BEST OPTION MENU BELOW UPDATE PROFILE');
    expect(exactWords('PLEASE SELECT AN OPTION FROM THE LIST WHERE YOU LIVE'.split(' ')).size).toBe(0);
    // SQL in capitals with a statement's shape is still SQL: a second clause, a column list, a ";".
    for (const sql of ['SELECT NAME FROM USERS WHERE AGE > 30', 'SELECT ID, NAME FROM USERS', 'DROP TABLE USERS;'])
      expect(telegraph(sql)).toBe(sql);
    expect(telegraph('I ran SELECT * FROM orders WHERE id = 5; it was slow.')).toBe(
      'ran SELECT * FROM orders WHERE id = 5; slow',
    );
    // A heading in capitals and an acronym in a sentence keep their capitals' meaning.
    expect(telegraph('NASA and the ESA share data.')).toBe('NASA ESA share data');
  });

  it('keeps what makes a quantity right: per item, a rate, a ratio, and its brackets (review)', () => {
    // Review: "(about 130 g each)" read "(about 130 g)", a total; "(400 g each), drained" read "(400 g
    // drained", the bracket gone with the dropped word; "fails maybe 1 in 20 runs" read "1 20 runs".
    expect(telegraph('- 4 salmon fillets (about 130 g each)')).toBe('- 4 salmon fillets (about 130 g each)');
    expect(telegraph('- 2 tins chickpeas (400 g each), drained')).toBe('- 2 tins chickpeas (400 g each) drained');
    expect(telegraph('It fails maybe 1 in 20 runs on CI.')).toBe('fails maybe 1 in 20 runs CI');
    expect(telegraph('She swims twice a week, 3 out of 4 weeks, and feeds the cat every 2 hours.')).toBe(
      'swims twice a week 3 out of 4 weeks feeds cat every 2 hours',
    );
    expect(telegraph('Tickets are $20 a head, 3 apiece, one in five sold.')).toBe(
      'Tickets $20 a head 3 apiece one in five sold',
    );
    // A closer a dropped word held before its comma goes to the kept word before it.
    expect(telegraph('We went (for the day on it), then home.')).toBe('went (day) home');
    // Elsewhere the article is glue as ever.
    expect(telegraph('We spent a week in a cabin, 2 of us.')).toBe('spent week cabin 2.');
  });

  it('keeps a list\'s enumerator: "(a)" is no article (review: "(a)" went, "(b)" and "(c)" stayed)', () => {
    expect(telegraph('(a) Availability is below 99.0 % in any three Measurement Periods; or')).toBe(
      '(a) Availability below 99.0 % three Measurement Periods; or',
    );
    expect(telegraph('caused by (a) the own systems, (b) a Force Majeure Event, or (c) a suspension.')).toBe(
      'caused (a) own systems (b) Force Majeure Event or (c) suspension',
    );
    expect(telegraph('a. The first item\ni) the second item\n(iv) the fourth')).toBe(
      'a. first item\ni) second item\n(iv) fourth',
    );
    // "I" and "a" as words are glue as before.
    expect(telegraph('I ate a pie. A pie is fine.')).toBe('ate pie. pie fine');
  });

  it('keeps a modal before its verb, a duty and a contrast: without them a possibility reads as a fact (review)', () => {
    for (const [line, want] of [
      // Review: "backups enabled 1 March", "we issue credit note", "Supplier make Customer Data
      // available" ("shall" went while "may" stayed), "Lactose intolerant hard cheeses fine".
      ['Japan-only backups can be enabled on 1 March.', 'Japan-only backups can enabled 1 March'],
      ['If you were charged twice, we can issue a credit note.', 'If charged twice we can issue credit note'],
      ['The Supplier shall make Customer Data available.', 'Supplier shall make Customer Data available'],
      ['The Customer may terminate; it could not easily pay.', 'Customer may terminate; could not easily pay'],
      ['I have to leave by 5, the car has to go.', 'have to leave by 5, car has to go'],
      ['Lactose intolerant, but hard cheeses are fine.', 'Lactose intolerant but hard cheeses fine'],
      ['It is cheap, although the room is small.', 'cheap although room small'],
      // A question's modal (the mark says it asks) and a noun: glue.
      ['Can you paste the failure?', 'paste failure?'],
      ['We bought a can of beans.', 'bought beans'],
      ['I have to the end of May.', 'end May'],
    ] as const)
      expect(telegraph(line), line).toBe(want);
  });

  it("shortens the importer's photo marker, and keeps a caption's words", () => {
    expect(telegraph('Jo: Look! [shares a photo: a photo of a bowl with a flower]', 'Jo:')).toBe(
      'Jo: Look! [photo: bowl flower]',
    );
    // Review: a caption opening with its own subject keeps it.
    expect(telegraph('Jo: Look! [shares a photo: photography books on a shelf]', 'Jo:')).toBe(
      'Jo: Look! [photo: photography books shelf]',
    );
  });
});

describe('a default and a change to come (review 5, F-06)', () => {
  it('keeps "on by default" and "will be removed", and a plain "will be" stays glue', () => {
    expect(telegraph('It is still OFF by default in 3.4.x; it will be on by default in 4.0.0.')).toBe(
      'still OFF by default 3.4.x; will be on by default 4.0.0.',
    );
    expect(telegraph('`Client.putObject()` is deprecated; it will be removed in 4.0.0.')).toBe(
      '`Client.putObject()` deprecated; will be removed 4.0.0.',
    );
    expect(telegraph('Melanie: I will be there on Monday, it will be fun!')).toBe('Melanie: there Monday fun');
  });
});

describe('review 6: eight new kinds of memory', () => {
  it('keeps how a number counts: a share in brackets, a half more, a half of "a metre"', () => {
    expect(telegraph('- Triggers: red wine (2 of 3 aura migraines came after wine), short sleep.')).toBe(
      '- Triggers: red wine (2 of 3 aura migraines came after wine) short sleep',
    );
    expect(telegraph('It took two and a half hours.')).toBe('took two and a half hours');
    expect(telegraph('We had about a metre and a half of water in the shop.')).toBe(
      'about a metre and a half water shop',
    );
  });

  it('keeps whom a thing is without or not for, and where money is paid from', () => {
    expect(telegraph('Make one roll without them and mark it with a toothpick.')).toBe(
      'Make one roll without them mark toothpick',
    );
    expect(telegraph('Parking: free for us (not for them).')).toBe('Parking: free (not for them)');
    expect(telegraph('Car repair: 1,340 EUR in May. Paid from the emergency fund.')).toBe(
      'Car repair: 1,340 EUR May Paid from emergency fund',
    );
    expect(telegraph('Either party may end the tenancy after 6 months.')).toBe(
      'Either party may end tenancy after 6 months',
    );
    // An "either ... or" and "either way" stay glue.
    expect(telegraph('Pay by either cash or card.')).toBe('Pay cash or card');
    expect(telegraph('Either way, it works.')).toBe('works');
  });

  it('keeps a document\'s "I" opening a sentence (no speakers), not a chat\'s', () => {
    // select telegraphs a note's sentences one by one: "I eat everything." comes after Dana's.
    expect(telegraph('I eat everything.', null, { speakers: [] })).toBe('I eat everything');
    expect(telegraph('I eat everything.', null, { speakers: ['sam', 'dana'] })).toBe('eat everything');
    expect(telegraph('Sam: I eat everything.', 'Sam:', { speakers: [] })).toBe('Sam: eat everything');
  });

  it('keeps "I" opening a later sentence of a note, so the one before does not lend it its subject', () => {
    expect(telegraph('- Dana is vegetarian, no seafood either. I eat everything.')).toBe(
      '- Dana vegetarian no seafood. I eat everything',
    );
  });

  it('leaves no residue: "of course", a lone dash, a bracket whose words all went, a title in a bracket', () => {
    expect(telegraph('Agent (Leo): Of course. When exactly do they happen?', 'Agent (Leo):')).toBe(
      'Agent (Leo): When exactly happen?',
    );
    expect(telegraph('TOMÁS: Pastéis de nata, of course. Only on Fridays.', 'TOMÁS:')).toBe(
      'TOMÁS: Pastéis de nata Only Fridays',
    );
    expect(telegraph('A change of course.')).toBe('change course');
    expect(telegraph('It is what it is - and that is it.')).toBe('what');
    expect(telegraph('It was - as we said - a deal.')).toBe('said - deal');
    expect(telegraph('- Lunch - with the team')).toBe('- Lunch - team');
    expect(telegraph('Invoice paid (by me), thanks.')).toBe('Invoice paid thanks');
    expect(telegraph('Invoice paid (by me) on Monday.')).toBe('Invoice paid on Monday');
    expect(telegraph('Lunch (with the team) is at noon.')).toBe('Lunch (team) noon');
    expect(telegraph('Symptom diary (Dr. Ahmed asked me to keep this)')).toBe('Symptom diary (Dr. Ahmed asked keep)');
  });
});

describe('a status report (session 32)', () => {
  it('keeps a part of a whole, "for now", "to date" and a state "on" names', () => {
    expect(telegraph('Spent to date: EUR 412,000 of EUR 600,000 (69 %).')).toBe(
      'Spent to date: EUR 412,000 of EUR 600,000 (69 %)',
    );
    expect(telegraph('Two of the five testers are on leave in the first week of December.')).toBe(
      'Two of five testers on leave first week December',
    );
    // A compound number word too (re-read of session 33: isNumberAt's list reads no "twenty-five").
    expect(telegraph('Twenty-five of the forty guests have confirmed.')).toBe('Twenty-five of forty guests confirmed');
    expect(telegraph('Go-live stays on 14 December for now.')).toBe('Go-live stays 14 December for now');
    expect(telegraph('The migration is on hold until the audit.')).toBe('migration on hold until audit');
    // Not every "of" nor every "on": "one of the best", "on Monday" stay glue.
    expect(telegraph('It was one of the best talks, on Monday.')).toBe('one best talks Monday');
  });
});

describe('what is still to come, and who (re-read of session 32)', () => {
  it('keeps "will have" before a participle: the thing is not done yet', () => {
    expect(telegraph('We will have finished the audit by June.')).toBe('will have finished audit June');
    expect(telegraph('The cleaners will have the flat cleaned by Friday.')).toBe(
      'cleaners will have flat cleaned Friday',
    );
    expect(telegraph("Sam: I'll have it done by Thursday.", 'Sam:')).toBe("Sam: I'll have done Thursday");
    // "will" alone stays glue, as does "will have" before a thing.
    expect(telegraph('I will have dinner with Jo.')).toBe('dinner with Jo');
    expect(telegraph('We will finish the audit by June.')).toBe('finish audit June');
  });

  it('keeps the "me" / "us" of "let me", "let us"', () => {
    expect(telegraph('Sam: Let me check the invoice first.', 'Sam:')).toBe('Sam: Let me check invoice first');
    expect(telegraph('Let us know when it ships.')).toBe('Let us know when ships');
  });
});
