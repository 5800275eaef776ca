import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig } from 'vite';

/**
 * Writes .br and .gz beside every text asset, once, at build time: the hub
 * is a Raspberry Pi and the mesh link is slow, so it sends the smallest
 * encoding the phone accepts without compressing on each request.
 */
function precompress() {
  return {
    name: 'hyphae-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (/\.(js|css|html|svg|json|webmanifest)$/.test(e.name)) {
            const raw = readFileSync(p);
            writeFileSync(`${p}.gz`, gzipSync(raw, { level: 9 }));
            writeFileSync(`${p}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
          }
        }
      };
      walk('dist');
    },
  };
}

// No framework plugin: Vite's own transform handles JSX for Preact.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [precompress()],
  build: { target: 'es2020', outDir: 'dist', assetsInlineLimit: 0, sourcemap: false, reportCompressedSize: true },
});
