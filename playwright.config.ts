import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser; headless, no sandbox (CI runs as root).
export default defineConfig({
  testDir: 'e2e',
  globalSetup: './scripts/prepare-models.ts',
  timeout: 120_000,
  workers: 1,
  fullyParallel: false,
  reporter: [['list'], ['json', { outputFile: '.cache/playwright.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    },
  },
  outputDir: 'test-results',
});
