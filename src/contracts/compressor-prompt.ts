import type { Domain } from './source.ts';

/**
 * The compressor's system prompt: the training set pairs it with every example, and inference sends
 * it with every text. A fine-tuned model is bound to this text byte for byte (a change is a new
 * model), so its hash is pinned in a test; bump the version with any change.
 */
export const TRAINING_PROMPT_VERSION = 1;

const DOMAIN_TEXT: Record<Domain, string> = {
  nl: 'prose',
  chat: 'a conversation or chat memory',
  code: 'source code',
  mixed: 'a document mixing prose and code',
};

export function trainingSystemPrompt(domain: Domain): string {
  return `You compress ${DOMAIN_TEXT[domain]} that will be given to another AI model as context. Keep every fact, name, number, date and instruction${domain === 'code' ? ', and keep the code working' : ''}; remove everything else. Answer with the compressed text only.`;
}
