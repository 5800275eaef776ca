import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts'],
    // The image's boot test runs apart, after the image is built: npm run test:image.
    exclude: ['**/node_modules/**', '**/dist/**', 'test-rig/src/image/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
