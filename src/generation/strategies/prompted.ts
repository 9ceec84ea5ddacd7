import { parseCode } from '../../code/parser.ts';
import { BudgetExceededError, InputError } from '../../errors/index.ts';
import { DeferredCall } from '../../providers/batch/plan.ts';
import { modelName } from '../../providers/model-ref.ts';
import { countTiktoken } from '../../tokenizers/tiktoken.ts';
import { unsupportedFacts } from '../facts.ts';
import { normaliseFenceLanguage } from '../languages.ts';
import { loadPrompt, renderPrompt } from '../prompts.ts';
import { splitFences } from '../rules/markdown.ts';
import { type Candidate, type Rejection, type Strategy, targetKey } from './spec.ts';

export const PROMPTED_VERSION = '1';

/** The answer between <compressed> tags; models add commentary around it, which is dropped. */
function extract(text: string): string | undefined {
  const m = /<compressed>\s*([\s\S]*?)\s*<\/compressed>/i.exec(text);
  return m ? m[1] : undefined;
}

async function parseProblem(code: string, language: string): Promise<string | undefined> {
  const tree = await parseCode(code, language);
  if (!tree) return undefined;
  try {
    if (!tree.rootNode.hasError) return undefined;
    const stack = [tree.rootNode];
    while (stack.length) {
      const n = stack.pop();
      if (!n) break;
      if (n.isError || n.isMissing) return `line ${n.startPosition.row + 1}`;
      for (const c of n.children) if (c) stack.push(c);
    }
    return 'somewhere';
  } finally {
    tree.delete();
  }
}

/** Why an answer cannot be a pair, or undefined when it can. */
async function check(
  answer: string,
  finish: string,
  source: Parameters<Strategy>[0],
  tokensBefore: number,
): Promise<{ reason?: string; text?: string; tokens?: number }> {
  if (finish === 'length') return { reason: 'the answer was cut off at the token limit' };
  const text = extract(answer);
  if (text === undefined) return { reason: `no <compressed> block in the answer: "${answer.slice(0, 80)}"` };
  if (!text.trim()) return { reason: 'the compression is empty' };
  const tokens = await countTiktoken(text, 'o200k');
  if (tokens >= tokensBefore)
    return { reason: `not shorter than the original (${tokens} ≥ ${tokensBefore} o200k tokens)` };
  if (source.domain === 'code') {
    if (source.language) {
      const problem = await parseProblem(text, source.language);
      if (problem) return { reason: `the ${source.language} code does not parse (${problem})` };
    }
    return { text, tokens };
  }
  if (source.domain === 'mixed') {
    for (const seg of splitFences(text)) {
      if (seg.kind !== 'fence') continue;
      const lang = normaliseFenceLanguage(seg.info);
      const problem = lang ? await parseProblem(seg.body, lang) : undefined;
      if (problem) return { reason: `a ${lang} code block does not parse (${problem})` };
    }
  }
  const invented = unsupportedFacts(text, source.text);
  if (invented.length)
    return {
      reason: `names, numbers or dates not in the source: ${invented
        .slice(0, 5)
        .map((x) => `"${x}"`)
        .join(', ')}${invented.length > 5 ? ` and ${invented.length - 5} more` : ''}`,
    };
  return { text, tokens };
}

/**
 * `prompted`: the generator model rewrites the source under its domain's instruction
 * (configs/prompts/<domain>.md) at each target ratio, at temperature 0. The answer must come
 * between <compressed> tags, be shorter than the source, parse (code) and invent no name,
 * number or date (everything else); otherwise it is rejected with the reason, not stored. A
 * rerun is served by the response cache, so a stored result is reused, never regenerated.
 */
export const promptedStrategy: Strategy = async (source, options, deps) => {
  if (!deps.registry || !deps.generator) throw new InputError('prompted generation needs a generator model');
  const prompt = loadPrompt(source.domain);
  const provider = deps.registry.get(deps.generator);
  const tokensBefore = await countTiktoken(source.text, 'o200k');
  const candidates: Candidate[] = [];
  const rejected: Rejection[] = [];
  for (const ratio of options.ratios) {
    const targetTokens = Math.max(1, Math.round(tokensBefore * ratio));
    const params = { ratio, prompt: source.domain, promptVersion: prompt.version, promptHash: prompt.hash };
    const system = renderPrompt(prompt, {
      targetPercent: Math.round(ratio * 100),
      targetTokens,
      language: source.language ?? 'the',
    });
    let res: Awaited<ReturnType<typeof provider.complete>>;
    try {
      res = await provider.complete(
        {
          model: deps.generator.model,
          system,
          messages: [{ role: 'user', content: `<text>\n${source.text}\n</text>` }],
          // Room for the target and some slack, never less than a short answer needs.
          maxTokens: Math.min(8192, Math.max(256, Math.ceil(targetTokens * 1.6) + 64)),
          temperature: 0,
        },
        {
          purpose: 'generate',
          ...(deps.runId ? { runId: deps.runId } : {}),
          ...(deps.signal ? { signal: deps.signal } : {}),
        },
      );
    } catch (error) {
      // A call deferred to a batch, or the budget, stops the source; any other failure is this
      // candidate's rejection, with the provider's message.
      if (error instanceof DeferredCall || error instanceof BudgetExceededError) throw error;
      rejected.push({ params, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const verdict = await check(res.text, res.finishReason, source, tokensBefore);
    if (verdict.reason || verdict.text === undefined) {
      rejected.push({ params, reason: verdict.reason ?? 'rejected' });
      continue;
    }
    const same = candidates.find((c) => c.compressed === verdict.text);
    if (same) {
      (same.metadata.covers as string[]).push(targetKey({ ratio }));
      continue;
    }
    candidates.push({
      compressed: verdict.text,
      strategy: 'prompted',
      strategyVersion: `${PROMPTED_VERSION}+prompt${prompt.version}`,
      params,
      model: modelName(deps.generator),
      costUsd: res.costUsd ?? null,
      metadata: {
        achievedRatio: Number(((verdict.tokens ?? 0) / tokensBefore).toFixed(4)),
        usage: res.usage,
        cached: res.cached,
        covers: [targetKey({ ratio })],
      },
    });
  }
  return { candidates, rejected };
};
