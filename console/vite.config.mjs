import { defineConfig } from 'vite';

// No framework plugin: Vite's own transform handles JSX for Preact.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2020', outDir: 'dist', assetsInlineLimit: 0, sourcemap: false, reportCompressedSize: true },
});
