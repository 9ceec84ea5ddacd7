import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'cli/**/*.test.ts',
      'electron/**/*.test.ts',
      'renderer/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // bench/.work is scratch: the regression bench extracts a baseline commit's sources (tests included) there.
    exclude: ['**/node_modules/**', 'bench/.work/**'],
    // Real SQLite files, real child processes: give slow 2-core machines room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['scripts/prepare-models.ts'],
  },
});
