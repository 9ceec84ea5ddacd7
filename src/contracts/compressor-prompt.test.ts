import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TRAINING_PROMPT_VERSION, trainingSystemPrompt } from './compressor-prompt.ts';

// A fine-tuned compressor was trained with these exact bytes; inference must send the same ones.
// A change here is a new prompt version and a retrained model, never a silent edit.
const PINNED: Record<'nl' | 'chat' | 'code' | 'mixed', string> = {
  nl: '24cd65370fa3da0117e7a2ec2b0c52e3cdfd5e44e1b1a211826b22d3bb08947f',
  chat: '4533241608c4f0a5112aa6dbbf90f7d60994df3266891b279e84c35024b24e06',
  code: 'bcbc7528de957d0a515947bd4d09e17732c2b90c45dc310407ebf1c106da434f',
  mixed: '3deab66c47772dd2e585d44ebc7f05a8c982adb812edb0e9d40e0d8ad36cec6f',
};

describe('the compressor system prompt', () => {
  it('is the text version 1 models were trained with, byte for byte', () => {
    expect(TRAINING_PROMPT_VERSION).toBe(1);
    for (const [domain, hash] of Object.entries(PINNED) as [keyof typeof PINNED, string][])
      expect(createHash('sha256').update(trainingSystemPrompt(domain)).digest('hex'), domain).toBe(hash);
  });
});
