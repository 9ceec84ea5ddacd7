import { describe, expect, it } from 'vitest';
import { dropCutTags, findTags, pairTags } from './markup.ts';

describe('markup tags', () => {
  it('pairs tags as a browser does: a closer closes the nearest opener of its name', () => {
    const text = '<div><p>One <b>two</b><br> three <img src="a.png"/></div></p>';
    expect(findTags(text).map((t) => `${t.kind}:${t.name}`)).toEqual([
      'open:div',
      'open:p',
      'open:b',
      'close:b',
      'open:br',
      'self:img',
      'close:div',
      'close:p',
    ]);
    // </div> leaves <p> and <br> open inside it; </p> closes nothing.
    const { pairs, unmatched } = pairTags(findTags(text));
    expect(unmatched.map((t) => text.slice(t.start, t.end))).toEqual(['<p>', '<br>', '</p>']);
    expect(pairs.map(([o, c]) => text.slice(o.start, c.end))).toEqual([
      text.slice(0, text.indexOf('</div>') + 6),
      '<b>two</b>',
    ]);
  });

  it('drops the halves of elements a selection cut, and leaves what the original left open', () => {
    // Seen with `studio compress --query` on an HTML note: the paragraph's last sentence came back
    // as "Ana has a grey cat called Miso.</p>", its "<p>" left behind with the first sentence.
    const original = '<article>\n<p>We landed in Lisbon. Ana has a <b>grey cat</b> called Miso.</p>\n</article>';
    expect(dropCutTags(original, '<article>\nAna has a <b>grey cat</b> called Miso.</p>\n</article>')).toBe(
      '<article>\nAna has a <b>grey cat</b> called Miso.\n</article>',
    );
    expect(dropCutTags(original, '<article>\n<p>We landed in Lisbon.\n</article>')).toBe(
      '<article>\nWe landed in Lisbon.\n</article>',
    );
    // An original that never closes its <li> and <br>: the output's are as they were.
    const loose = '<ul><li>Dana likes tea.<br>Sam likes coffee.<li>Ana likes both.</ul>';
    expect(dropCutTags(loose, '<ul><li>Ana likes both.</ul>')).toBe('<ul><li>Ana likes both.</ul>');
    expect(dropCutTags('plain text', 'plain')).toBe('plain');
    // A tag shown in inline code or a fence is text, never dropped (review: "open `` own line").
    const doc = 'Open the list with `<ul>` on its own line.\nClose it with `</ul>`.\n```\n<li>item\n```';
    expect(dropCutTags(doc, 'Open the list with `<ul>` on its own line.\n```\n<li>item\n```')).toBe(
      'Open the list with `<ul>` on its own line.\n```\n<li>item\n```',
    );
  });
});
