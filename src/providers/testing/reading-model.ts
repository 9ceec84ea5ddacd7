import { tokenF1 } from '../../validation/match.ts';
import type { SeenRequest } from './fake-servers.ts';

/**
 * A model that reads its context: it answers with the context line sharing most words with the
 * question, or "not in the context". The judge calls two answers equivalent when they share most
 * words. The prober writes one behaviour question for programs.
 */
export function readingModel(req: SeenRequest): { text: string } {
  const last = req.messages.at(-1)?.content ?? '';
  if (req.model === 'prober-test')
    return {
      text: JSON.stringify({
        probes: [{ question: 'What does the function return for its first example?', answer: 'see the docstring' }],
      }),
    };
  if (req.model === 'judge-test') {
    const a = /Answer A \(original\): (.*)/.exec(last)?.[1] ?? '';
    const b = /Answer B \(compressed\): (.*)/.exec(last)?.[1] ?? '';
    if (a.includes('JUDGE-BREAKS')) return { text: 'this is not json' };
    return { text: JSON.stringify({ equivalent: tokenF1(a, b) > 0.5, reason: 'compared facts' }) };
  }
  const context = /<context>\n([\s\S]*)\n<\/context>/.exec(last)?.[1] ?? '';
  const question = /Question: (.*)/.exec(last)?.[1] ?? '';
  const words = new Set(question.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  let best = '';
  let bestScore = 0;
  for (const line of context.split('\n')) {
    const score = (line.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((w) => words.has(w)).length;
    if (score > bestScore) {
      best = line;
      bestScore = score;
    }
  }
  return { text: bestScore ? best.replace(/^[^:]{1,40}: /, '') : 'not in the context' };
}
