import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseYamlConfig } from '../config/load-yaml.ts';
import { appConfigDir } from '../config.ts';
import type { Domain } from '../contracts/source.ts';
import { ConfigError } from '../errors/index.ts';
import { sha256 } from '../util/hash.ts';

/**
 * Generation prompts live in configs/prompts/<domain>.md as files a researcher edits: YAML front
 * matter (version, domain, description) and the instruction, with {{placeholders}}. Every pair
 * records the prompt's version and a hash of its text, so an edit without a version bump shows.
 */
const FrontMatterSchema = z.object({
  version: z.number().int().positive(),
  domain: z.enum(['nl', 'chat', 'code', 'mixed']),
  description: z.string().default(''),
});

export interface GenerationPrompt {
  domain: Domain;
  version: number;
  description: string;
  /** The instruction with its placeholders. */
  template: string;
  hash: string;
  file: string;
}

export function loadPrompt(domain: Domain, dir = join(appConfigDir(), 'prompts')): GenerationPrompt {
  const file = join(dir, `${domain}.md`);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`Missing prompt file ${file}: every domain needs one.`);
  }
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(raw.replace(/\r\n?/g, '\n'));
  if (!m) throw new ConfigError(`${file}: starts with front matter between --- lines (version, domain)`);
  // The front matter starts on the file's second line (after the opening ---).
  const front = parseYamlConfig(m[1] ?? '', FrontMatterSchema, { file, firstLine: 2 });
  if (front.domain !== domain) throw new ConfigError(`${file}: says domain "${front.domain}", expected "${domain}"`);
  const template = (m[2] ?? '').trim();
  if (!template.includes('<compressed>'))
    throw new ConfigError(`${file}: the instruction must ask for the answer between <compressed> and </compressed>`);
  return { ...front, template, hash: sha256(raw).slice(0, 16), file };
}

/** Fills {{name}} placeholders; an unknown placeholder is a config error, not a silent blank. */
export function renderPrompt(prompt: GenerationPrompt, values: Record<string, string | number>): string {
  return prompt.template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new ConfigError(`${prompt.file}: unknown placeholder {{${name}}}`);
    return String(v);
  });
}
