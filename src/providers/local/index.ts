export { createLocalProvider, type LocalProviderOptions } from './provider.ts';
