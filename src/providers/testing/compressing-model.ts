import type { SeenRequest } from './fake-servers.ts';

/**
 * A generator that follows the instruction it is given well enough to test the pipeline: it keeps
 * the first lines of the text (code: drops comment lines), and misbehaves on marked sources.
 */
export function compressingModel(req: SeenRequest): { text: string } {
  const text = /<text>\n([\s\S]*)\n<\/text>/.exec(req.messages.at(-1)?.content ?? '')?.[1] ?? '';
  if (text.includes('BREAK-NO-TAGS')) return { text: 'Sure! Here is a shorter version of your text.' };
  if (text.includes('BREAK-EMPTY')) return { text: '<compressed>\n</compressed>' };
  if (text.includes('BREAK-INVENT')) return { text: '<compressed>Alice moved to Paris in 1999.</compressed>' };
  if (text.includes('BREAK-LONG')) return { text: `<compressed>${text} ${text}</compressed>` };
  const percent = Number(/about (\d+) %/.exec(req.system)?.[1] ?? 50);
  const lines = text.split('\n');
  if (/source code/.test(req.system)) {
    const kept = lines.filter((l) => !/^\s*#/.test(l));
    return { text: `Here you go:\n<compressed>\n${kept.join('\n')}\n</compressed>` };
  }
  const keep = Math.max(1, Math.floor((lines.length * percent) / 100));
  const words = text.split(' ');
  const out =
    lines.length > 2
      ? lines.slice(0, keep).join('\n')
      : words.slice(0, Math.max(3, Math.floor((words.length * percent) / 100))).join(' ');
  return { text: `<compressed>${out}</compressed>` };
}
