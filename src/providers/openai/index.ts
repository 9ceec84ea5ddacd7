export { createOpenAiProvider } from './provider.ts';
