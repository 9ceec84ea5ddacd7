import { beforeAll, describe, expect, it } from 'vitest';
import { o200kCounter } from '../../../tokenizers/o200k-counter.ts';
import { changeSpans, criticalChangeLines } from './changes.ts';
import { phraseSpans } from './index.ts';
import { flatPrune, lockCovers } from './testing/flat-prune.ts';

// Selection is pure here: every model token gets the same surprisal, so what is kept follows from
// the word classes and the locked spans alone.

let o200k: (s: string) => number;
beforeAll(async () => {
  o200k = await o200kCounter();
});

const locked = (text: string) => phraseSpans(text).map((p) => text.slice(p.start, p.end));
const covered = lockCovers;
const prune = (text: string, ratio: number) => flatPrune(text, ratio, o200k);

describe('a replaced value (review F-05)', () => {
  it('locks what "instead of", "rather than" and the like replaced, with the new value before', () => {
    const text = 'Timeouts are now in milliseconds instead of seconds. Logging goes to stderr rather than stdout.';
    expect(covered(text, 'milliseconds instead of seconds')).toBe(true);
    expect(covered(text, 'stderr rather than stdout')).toBe(true);
  });

  it('locks an old value in brackets and after "formerly", "previously", "used to be"', () => {
    const text = [
      '- The default retry count is 2 (previously 5).',
      '- Minimum Node version is 20 (was 16).',
      '- connect() returns a Promise; it formerly took a callback.',
      '- retryDelay now grows exponentially; it used to be a fixed 1 second.',
      '- Sleep noise target relaxed to 22 dB(A) (was 20 dB(A)).',
    ].join('\n');
    for (const phrase of ['(previously 5)', '(was 16)', 'formerly took a callback', 'used to be a fixed 1 second'])
      expect(covered(text, phrase), phrase).toBe(true);
  });

  it('keeps the replaced value through a prune', () => {
    const text = [
      'Release notes for the client library, version four.',
      'Timeouts are now in milliseconds instead of seconds, so every existing configuration must be updated by hand.',
      'The default retry count is 2 (previously 5), which makes failures surface much sooner than they used to.',
    ].join('\n');
    const out = prune(text, 0.5);
    expect(out).toContain('milliseconds instead of seconds');
    expect(out).toContain('(previously 5)');
  });
});

describe("a decision's verb (review F-03)", () => {
  it('keeps the verb and "after all" of a changed decision', () => {
    const text = [
      'Notes to self about the kitchen renovation and the two quotes we received this week from contractors.',
      'Changed my mind about the vendor - approve the Acme quote after all. Brightline wants to subcontract the electrics.',
      'Cancel the skip hire from Wasteaway; Acme brings its own and collects everything at the end of the job.',
      'Postpone the bathroom until spring, because the budget will not stretch to both of them this year.',
    ].join('\n');
    const out = prune(text, 0.33);
    for (const word of ['approve', 'after all', 'Cancel', 'Postpone']) expect(out, word).toContain(word);
  });

  it('locks "keep" or "go with" only where they open a clause, "instead" with what it picks', () => {
    expect(covered('Go with the oak-look vinyl instead.', 'oak-look vinyl instead')).toBe(true);
    expect(covered('Keep the old door handles; the new ones clash.', 'Keep the old')).toBe(true);
    expect(locked('Please keep in mind that the office is closed.').some((s) => /keep/i.test(s))).toBe(false);
  });

  it('locks a decision label with its verb: "Decision: ship ..."', () => {
    expect(covered('Decision: ship 2.4 on 17 March without the new onboarding flow.', 'Decision: ship')).toBe(true);
  });

  it("reads no decision in a chat's encouragement", () => {
    // LoCoMo's tuning sessions say "Keep it up!" 24 times: locked, they cost 5 answers at keep 0.33.
    const text = 'Keep it up! Keep going and keep pushing. I accept who we are.';
    expect(locked(text).filter((s) => /keep|accept/i.test(s))).toEqual([]);
    // Nor in an errand (re-read of session 32: "Pick up the kids" was locked as a choice).
    expect(locked('- Pick up the kids at 5.').filter((s) => /pick/i.test(s))).toEqual([]);
    // Nor in an English "reporter" (French "reporter", to put off, only before what is: session 33).
    expect(locked('The reporter asked about the fire.').filter((s) => /reporter/i.test(s))).toEqual([]);
    expect(covered('Il faut reporter la réunion à jeudi.', 'reporter la réunion')).toBe(true);
  });

  it('never drops a "Decision:" line whole, in minutes whose action items read as speakers', () => {
    const text = [
      'Marco: the release is on track for 17 March, with two blockers left on Safari and search.',
      'Aisha: the Safari bug is fixed on the branch but has not been reviewed by anyone yet.',
      'Tom: the search issue needs a database index, which is about two days of work for me.',
      'Decision: ship 2.4 on 17 March without the new onboarding flow, which moves to 2.5.',
      'Yuki: the survey got 412 responses and satisfaction went down from 8.1 to 7.8 this quarter.',
      'Leila: we have budget for one more backend engineer, and I prefer referrals for a month.',
    ].join('\n');
    expect(prune(text, 0.33)).toContain('Decision: ship');
  });

  it('keeps a vote\'s counts with their sides: "4 for, 0 against"', () => {
    // Session 38/39: minutes' "Votes: 4 for, 0 against." read "Votes: 4 0 against", an AGM's
    // "carried, 27 for and 5 against" read "27 and 5 against": the "for" went, the count read as
    // something else.
    expect(covered('Votes: 4 for, 0 against.', '4 for, 0 against')).toBe(true);
    expect(
      covered(
        'The motion was carried, 27 for and 5 against, with 2 abstentions.',
        '27 for and 5 against, with 2 abstentions',
      ),
    ).toBe(true);
    expect(covered('La motion est adoptée par 12 pour et 3 contre.', '12 pour et 3 contre')).toBe(true);
    const minutes = [
      'Minutes of the club committee meeting held at the pavilion on a cold Tuesday evening in March.',
      'The chair thanked the members for coming and hoped everyone had enjoyed the winter break.',
      'A proposal to raise the annual subscription was carried, 27 for and 5 against, after a long debate.',
      'A motion to open the bar on Sundays was defeated, 11 for and 20 against, and will not return.',
      'Members were reminded that the car park gate is locked at ten, and that keys are at the bar.',
      'The meeting closed at twenty to nine, and tea and biscuits were enjoyed by everyone present.',
    ].join('\n');
    // Thinned or not, no count reads without its side.
    for (const ratio of [0.5, 0.33]) expect(prune(minutes, ratio)).not.toMatch(/\d+,? (?:and )?\d+ against/);
  });

  it('reads a long run without spaces in linear time (re-read of session 32: 54,000 CJK characters took 28 s)', () => {
    const started = performance.now();
    changeSpans('漢'.repeat(54_000));
    // Quadratic, this took 28 s; linear, tens of milliseconds. The bound is loose for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("reads a vote's count before a long run of spaces in linear time (re-read of session 39: 200 KB took 68 s)", () => {
    const started = performance.now();
    changeSpans(`4 for${' '.repeat(200_000)}x`);
    // Each split of the spaces between the tally's two blanks was tried: quadratic, 68 s.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("a changelog's breaking changes (review F-05, session 33)", () => {
  const log = [
    '# Changelog',
    '',
    '## 4.0.0',
    '',
    '### Breaking changes',
    '- Timeouts are now in milliseconds instead of seconds.',
    '- The default retry count is 2 (previously 5).',
    '- The `legacyMode` option has been removed; use `compat` instead.',
    '',
    '### Fixed',
    '- Redirects to a relative URL lost the query string.',
    '- A response with an empty body threw instead of returning an empty string.',
    '- Memory leak when a request was aborted before the socket connected.',
    '- Gzip responses over 2 GB crashed the decoder.',
    '- Typo in the README.',
    '- `abort()` called twice no longer throws.',
    '- BREAKING: `get(url, callback)` is gone; use the Promise form.',
  ].join('\n');

  it('reads the items under a breaking, removed or security section, and one that says it', () => {
    const lines = [...criticalChangeLines(log)].map((at) =>
      log.slice(at, log.indexOf('\n', at) + 1 || undefined).trim(),
    );
    expect(lines).toEqual([
      '- Timeouts are now in milliseconds instead of seconds.',
      '- The default retry count is 2 (previously 5).',
      '- The `legacyMode` option has been removed; use `compat` instead.',
      '- BREAKING: `get(url, callback)` is gone; use the Promise form.',
    ]);
    expect(criticalChangeLines('**Security**\n- Escape the header values.\n\nNotes:\n- Faster.').size).toBe(1);
  });

  it('never drops a breaking change whole at keep 0.33', () => {
    const out = prune(log, 0.33);
    for (const word of ['Timeouts', '(previously 5)', 'legacyMode', 'BREAKING']) expect(out).toContain(word);
  });
});
