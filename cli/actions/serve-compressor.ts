import { createCompressor } from '../../src/inference/compress.ts';
import { loadInferenceConfig } from '../../src/inference/config.ts';
import { startCompressorService } from '../../src/inference/service.ts';
import type { ServeCompressorOptions } from '../commands/serve-compressor.ts';
import type { CliContext } from '../main.ts';
import { waitForStop } from '../wait-for-stop.ts';

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
