import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSmolLM2 } from '../src/providers/local/test-model.ts';
import { fakeProviderEnv, startFakeServers } from '../src/providers/testing/fake-servers.ts';
import { readingModel } from '../src/providers/testing/reading-model.ts';
import { stamp, writeSection } from './results-file.ts';

const BIN = join(process.cwd(), 'bin', 'studio.js');
const WORK = join(process.cwd(), 'bench', '.work');

async function studio(project: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [BIN, '-p', project, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`studio ${args.join(' ')} failed: ${err}`);
  return out;
}

/**
 * The validation "must show": 20 LoCoMo-derived pairs validated by three models behind loopback
 * servers that speak the Anthropic, OpenAI and Gemini wire formats, plus the real SmolLM2 GGUF,
 * through the CLI as a user runs it. The served models read their context (extractive answers);
 * SmolLM2 is a real 135M model, so its answers are real and weak.
 */
export async function benchValidation(shared: string): Promise<void> {
  const locomo = join(shared, 'locomo-dev.json');
  if (!existsSync(locomo)) {
    console.log('validation: ../shared/data not found, skipped');
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const project = join(WORK, 'validation-project');
  rmSync(project, { recursive: true, force: true });
  const fake = await startFakeServers({ answer: readingModel });
  try {
    const gguf = ensureSmolLM2();
    const env = { ...process.env, ...fakeProviderEnv(fake.url) };
    await studio(project, ['init'], env);
    await studio(project, ['import', locomo], env);
    await studio(project, ['compress', '--all'], env);
    const models = ['anthropic/claude-served', 'openai/gpt-served', 'gemini/gemini-served', `local/${gguf}`].join(',');
    const args = [
      'validate',
      '--pairs',
      Array.from({ length: 20 }, (_, i) => i + 1).join(','),
      '--models',
      models,
      '--judge',
      'openai/judge-test',
      '--prober',
      'openai/prober-test',
      '--concurrency',
      '2',
    ];
    const t0 = performance.now();
    const first = await studio(project, args, env);
    const seconds = (performance.now() - t0) / 1000;
    const callsFirst = fake.requests.length;
    const t1 = performance.now();
    const rerun = await studio(project, args, env);
    const rerunSeconds = (performance.now() - t1) / 1000;
    const callsRerun = fake.requests.length - callsFirst;
    writeSection(
      'validation',
      `## Cross-model validation of 20 LoCoMo pairs

${stamp()} · \`npm run bench -- validation\`

20 rules pairs from LoCoMo sessions (probes: the dataset's QA for each session, filled up by the
prober), validated by \`studio validate\` with three validators served by loopback servers that
speak each provider's wire format (official SDKs pointed at them; the served model answers from
its context) and the real SmolLM2-135M GGUF through node-llama-cpp on the CPU. Judge: a served
model. First run ${seconds.toFixed(0)} s (${callsFirst} provider calls over HTTP); the rerun ${rerunSeconds.toFixed(1)} s with
${callsRerun} calls (everything from the stores and the response cache).

\`\`\`
${first.trim()}
\`\`\`

Rerun:

\`\`\`
${rerun.trim()}
\`\`\`
`,
    );
    console.log(`validation: ${callsFirst} calls, rerun ${callsRerun}`);
  } finally {
    await fake.close();
  }
}
