import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors/index.ts';
import { loadYamlConfig, parseYamlConfig } from './load-yaml.ts';

const dir = mkdtempSync(join(tmpdir(), 'load-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const Schema = z.object({
  name: z.string().default('studio'),
  lora: z.object({ rank: z.number().int().min(1).default(8), scale: z.number().default(20) }).prefault({}),
  stages: z.array(z.string().min(1)).default(['rules']),
});

const caught = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
};

describe('loadYamlConfig', () => {
  it('reads, fills defaults and deep-merges the caller’s options over the file', () => {
    const f = file('ok.yaml', 'name: mine\nlora:\n  rank: 4\n  scale: 10\n');
    expect(loadYamlConfig(f, Schema)).toEqual({ name: 'mine', lora: { rank: 4, scale: 10 }, stages: ['rules'] });
    // A nested override keeps the file's sibling values (--set lora.rank=2 keeps scale: 10).
    expect(loadYamlConfig(f, Schema, { override: { lora: { rank: 2 } } }).lora).toEqual({ rank: 2, scale: 10 });
  });

  it('names file, line and field of a bad value in the file', () => {
    const f = file('bad.yaml', 'name: mine\nlora:\n  scale: 10\n  rank: 0\n');
    const e = caught(() => loadYamlConfig(f, Schema));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(new RegExp(`^${f}:4, field "lora.rank": `));
    const s = caught(() => loadYamlConfig(file('seq.yaml', 'stages:\n  - rules\n  - ""\n'), Schema));
    expect(s.message).toMatch(/seq\.yaml:3, field "stages\.1": /);
  });

  it('names the line of a YAML syntax error', () => {
    const e = caught(() => loadYamlConfig(file('syntax.yaml', 'name: a\nlora: [1\nstages: 2\n'), Schema));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/syntax\.yaml:\d: not valid YAML/);
  });

  it('blames the caller, not the file, for a bad override', () => {
    const f = file('fine.yaml', 'lora: { rank: 8 }\n');
    const e = caught(() => loadYamlConfig(f, Schema, { override: { lora: { rank: -1 } } }));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).field).toBe('lora.rank');
  });

  it('a missing file is an error unless optional; an empty file is every default', () => {
    const missing = join(dir, 'nope.yaml');
    expect(caught(() => loadYamlConfig(missing, Schema)).message).toBe(`Missing config file ${missing}.`);
    expect(loadYamlConfig(missing, Schema, { optional: true, override: { name: 'x' } }).name).toBe('x');
    expect(loadYamlConfig(file('empty.yaml', '# nothing yet\n'), Schema).lora).toEqual({ rank: 8, scale: 20 });
  });

  it('reads one section, with lines counted in the whole file', () => {
    const f = file('sections.yaml', 'local:\n  rank: 3\nclassifier:\n  name: clf\n  lora: { rank: 0 }\n');
    expect(
      loadYamlConfig(f, Schema, { section: 'classifier', override: { lora: { rank: 1 }, stages: ['a'] } }),
    ).toEqual({
      name: 'clf',
      lora: { rank: 1, scale: 20 },
      stages: ['a'],
    });
    expect(caught(() => loadYamlConfig(f, Schema, { section: 'classifier' })).message).toMatch(
      /sections\.yaml:5, field "lora\.rank"/,
    );
  });
});

describe('parseYamlConfig', () => {
  it('keeps the file’s line numbers for front matter cut from it', () => {
    const e = caught(() => parseYamlConfig('name: a\nstages: 3\n', Schema, { file: 'prompt.md', firstLine: 2 }));
    expect(e.message).toMatch(/^prompt\.md:3, field "stages": /);
  });
});
