export { createAnthropicProvider } from './provider.ts';
