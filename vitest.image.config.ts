import { defineConfig } from 'vitest/config';

// The SD-card image's boot test (npm run test:image): it needs the image that
// npm run image:build makes, and QEMU, so npm test leaves it out.
export default defineConfig({
  test: {
    include: ['test-rig/src/image/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
  },
});
