import type { Command } from 'commander';
import type { CliContext } from '../main.ts';
import { parsePort } from '../options.ts';

export interface ServeCompressorOptions {
  host?: string;
  port?: number;
  token?: string;
  config?: string;
  warm?: boolean;
  json?: boolean;
}

export function registerServeCompressor(program: Command, ctx: CliContext): void {
  program
    .command('serve-compressor')
    .description(
      'serve the compressor over HTTP (POST /v1/compress, GET /v1/models, /health, /metrics) and proxy Anthropic, OpenAI and Gemini calls, compressing the <memory>/<context> parts',
    )
    .option('--host <host>', 'address to listen on (default from configs/inference.yaml: 127.0.0.1)')
    .option('--port <port>', 'port (0: any free port; default from configs/inference.yaml)', parsePort)
    .option(
      '--token <token>',
      'bearer token to require instead of a random one (STUDIO_COMPRESSOR_TOKEN)',
      process.env.STUDIO_COMPRESSOR_TOKEN,
    )
    .option('--config <file>', 'an inference config other than configs/inference.yaml')
    .option('--warm', 'load the configured models now instead of at the first request')
    .option('--json', 'print the URL, port and token as one JSON line')
    .action(async (opts: ServeCompressorOptions) =>
      (await import('../actions/serve-compressor.ts')).serveCompressor(ctx, opts),
    );
}
