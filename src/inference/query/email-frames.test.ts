import { describe, expect, it } from 'vitest';
import { shortEmailHeader } from './email-frames.ts';
import { telegraphHeader } from './telegraph.ts';

describe('shortEmailHeader', () => {
  it('keeps who, when and the subject of a mail header, without addresses, weekday, seconds or zone', () => {
    const header = [
      'From: Marta Kowalski <marta.kowalski@brightline-logistics.com>',
      'To: Daniel Reyes <d.reyes@harborfoods.co>, "Ops Desk" <ops@harborfoods.co>',
      'Cc: priya.nair@brightline-logistics.com',
      'Date: Thu, 14 Nov 2024 16:42:09 +0100',
      'Subject: RE: Q1 cold-chain contract - revised pricing',
    ].join('\n');
    expect(shortEmailHeader(header)).toBe(
      [
        'From: Marta Kowalski',
        'To: Daniel Reyes, Ops Desk',
        'Cc: priya.nair@brightline-logistics.com',
        'Date: 14 Nov 2024 16:42',
        'Subject: RE: Q1 cold-chain contract - revised pricing',
      ].join('\n'),
    );
    // The telegraphic style of the query path uses it for a memory's headers.
    expect(telegraphHeader(header, new Set())).toBe(shortEmailHeader(header));
  });

  it('shortens an attribution line, quoted or not', () => {
    expect(shortEmailHeader('On Wed, 13 Nov 2024 at 11:05, Daniel Reyes <d.reyes@harborfoods.co> wrote:')).toBe(
      'On 13 Nov 2024 11:05, Daniel Reyes wrote:',
    );
    expect(shortEmailHeader('> On Mon, 11 Nov 2024 at 09:30, Priya Nair <priya@example.com> wrote:')).toBe(
      '> On 11 Nov 2024 09:30, Priya Nair wrote:',
    );
    // A date it does not read stays as written.
    expect(shortEmailHeader('On the day after the launch, Dana <dana@example.com> wrote:')).toBeNull();
  });

  // Before, six words took minutes (each split into zones every way): the test's own time limit says so.
  it('reads a date with words after it at once (review of the session: each word split into zones)', () => {
    const words = Array.from({ length: 12 }, () => 'documentation').join(' ');
    expect(shortEmailHeader(`From: A B <a@x.com>\nDate: 14 Nov 2024 16:42 ${words} 1`)).toBe(
      `From: A B\nDate: 14 Nov 2024 16:42 ${words} 1`,
    );
    expect(shortEmailHeader('From: A B <a@x.com>\nDate: Thu, 14 Nov 2024 16:42:09 CET')).toBe(
      'From: A B\nDate: 14 Nov 2024 16:42',
    );
  });

  it('leaves any other header alone', () => {
    expect(shortEmailHeader('Session 3 (1:56 pm on 8 May, 2023): Caroline and Melanie')).toBeNull();
    expect(shortEmailHeader('## Decisions')).toBeNull();
    expect(shortEmailHeader('Date: 2024-03-01\nMood: good')).toBeNull();
  });
});
