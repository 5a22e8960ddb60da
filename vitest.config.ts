import { defineConfig } from 'vitest/config';

// unit: in-memory, fast. integration: real moto / terraform / emulator, started by the tests
// themselves. e2e: whole flows in the sandbox. `npm test` runs all three.
export default defineConfig({
  test: {
    setupFiles: ['test/_helpers/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['test/_helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          globalSetup: ['test/_helpers/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
