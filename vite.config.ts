import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is one static bundle: served by `studio serve` in a browser, loaded from disk by
// Electron. Relative base so both work.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
});
