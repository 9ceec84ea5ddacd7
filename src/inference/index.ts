/**
 * The compressor as a library: `import { compress } from 'compression-studio/src/inference'`.
 * `compress`/`compressMany` use configs/inference.yaml; `createCompressor` takes a config of your own.
 */
export { CancelledError } from '../errors/index.ts';
export type { Fallback, FallbackReason } from './checks.ts';
export {
  type CompressOptions,
  type Compressor,
  type CompressResult,
  compress,
  compressMany,
  createCompressor,
  getCompressor,
  type StageTiming,
} from './compress.ts';
export {
  type InferenceConfig,
  type InferenceConfigInput,
  loadInferenceConfig,
  parseInferenceConfig,
} from './config.ts';
export { type LoadStep, ModelLoadError, type ModelLoadState } from './local-model.ts';
export type { ModelInfo } from './models.ts';
export { type RunningService, startCompressorService } from './service.ts';
