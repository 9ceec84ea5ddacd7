import type { Command } from 'commander';
import { InputError } from '../../src/errors/index.ts';
import { createCompressor } from '../../src/inference/compress.ts';
import { loadInferenceConfig } from '../../src/inference/config.ts';
import { startCompressorService } from '../../src/inference/service.ts';
import type { CliContext } from '../main.ts';
import { waitForStop } from '../wait-for-stop.ts';

interface ServeCompressorOptions {
  host?: string;
  port?: number;
  token?: string;
  config?: string;
  warm?: boolean;
  json?: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`--port must be 0-65535, got "${value}"`);
  return n;
}

/** Runs the compression service (and the provider proxy) until interrupted. */
export async function serveCompressor(ctx: CliContext, opts: ServeCompressorOptions): Promise<void> {
  const config = loadInferenceConfig(opts.config ? { file: opts.config } : {});
  const compressor = createCompressor(config);
  const service = await startCompressorService({
    compressor,
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.token ? { token: opts.token } : {}),
  });
  if (opts.json) ctx.out(JSON.stringify({ url: service.url, port: service.port, token: service.token }));
  else {
    ctx.out(`Compressor listening on ${service.url}`);
    ctx.out(`Token: ${service.token}`);
    ctx.out(`Try: curl -s ${service.url}/v1/compress -H "authorization: Bearer ${service.token}" -d '{"text":"..."}'`);
  }
  const host = opts.host ?? config.service.host;
  if (host !== '127.0.0.1' && host !== 'localhost')
    ctx.logger.warn(`Listening on ${host}: anyone on the network with the token can use the compressor.`);
  // The encoder tables and the grammars load at the first call: take that second now.
  await compressor.compress('Warm up the tokenizer and the rules.', { model: 'none' }).catch(() => undefined);
  if (opts.warm) {
    for (const m of compressor.models().filter((x) => x.domains.length)) {
      const info = await compressor.warm(m.name);
      const s = info?.state;
      if (s?.error) ctx.logger.warn(`${m.name}: loading failed at the ${s.error.step} step: ${s.error.message}`);
      else ctx.logger.info(`${m.name}: loaded`);
    }
  }
  ctx.logger.info('Press Ctrl+C to stop.');
  await waitForStop();
  ctx.logger.info('Stopping…');
  await service.close();
  await compressor.dispose();
}

export function registerServeCompressor(program: Command, ctx: CliContext): void {
  program
    .command('serve-compressor')
    .description(
      'serve the compressor over HTTP (POST /v1/compress, GET /v1/models, /health, /metrics) and proxy Anthropic, OpenAI and Gemini calls, compressing the <memory>/<context> parts',
    )
    .option('--host <host>', 'address to listen on (default from configs/inference.yaml: 127.0.0.1)')
    .option('--port <port>', 'port (0: any free port; default from configs/inference.yaml)', port)
    .option(
      '--token <token>',
      'bearer token to require instead of a random one (STUDIO_COMPRESSOR_TOKEN)',
      process.env.STUDIO_COMPRESSOR_TOKEN,
    )
    .option('--config <file>', 'an inference config other than configs/inference.yaml')
    .option('--warm', 'load the configured models now instead of at the first request')
    .option('--json', 'print the URL, port and token as one JSON line')
    .action(async (opts: ServeCompressorOptions) => serveCompressor(ctx, opts));
}
