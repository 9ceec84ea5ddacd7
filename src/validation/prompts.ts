/** Prompts of the validation harness. Changing one changes cache keys, so bump the version. */
export const PROMPTS_VERSION = 'v1';

export const ANSWER_SYSTEM =
  'You answer questions using only the context you are given. Answer in as few words as possible. If the context does not contain the answer, reply exactly: not in the context.';

export function answerPrompt(context: string, question: string): string {
  return `<context>\n${context}\n</context>\n\nQuestion: ${question}`;
}

export const PROBE_SYSTEM =
  'You write test questions about a text. Each question must be answerable from the text alone, with a short factual answer (a name, number, date, place, or short phrase). Prefer questions whose answer a careless summary would lose.';

export function probePrompt(text: string, n: number, domain: string): string {
  const focus =
    domain === 'code'
      ? 'The text is a program: ask what a function returns for a given input, what its signature is, and what edge cases it handles.'
      : domain === 'chat'
        ? 'The text is a conversation: ask who did what, when (dates), and the specific names, numbers and places mentioned.'
        : 'Ask about the specific facts: names, numbers, dates, decisions.';
  return `${focus}\nWrite ${n} questions with their answers.\n\n<text>\n${text}\n</text>`;
}

/** Exactly n probes: the count is part of the schema, so grammar-constrained models keep to it. */
export function probeSchema(n: number): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      probes: {
        type: 'array',
        minItems: n,
        maxItems: n,
        items: {
          type: 'object',
          properties: { question: { type: 'string' }, answer: { type: 'string' } },
          required: ['question', 'answer'],
          additionalProperties: false,
        },
      },
    },
    required: ['probes'],
    additionalProperties: false,
  };
}

export const JUDGE_SYSTEM = `You compare two answers to the same question. They come from the same model, once reading an original text and once reading a compressed version of it.
Rubric: the answers are equivalent when they state the same facts (the same names, numbers, dates and claims), even if worded differently. They are different when one omits, adds or changes a fact, or one says the information is missing and the other gives it. When a reference answer is given, use it to decide which facts matter.`;

export function judgePrompt(question: string, reference: string | null, a: string, b: string): string {
  return `Question: ${question}\n${reference ? `Reference answer: ${reference}\n` : ''}Answer A (original): ${a}\nAnswer B (compressed): ${b}\n\nAre A and B equivalent?`;
}

export const JUDGE_SCHEMA = {
  type: 'object',
  properties: { equivalent: { type: 'boolean' }, reason: { type: 'string' } },
  required: ['equivalent', 'reason'],
  additionalProperties: false,
} as const;
