export { createGeminiProvider } from './provider.ts';
