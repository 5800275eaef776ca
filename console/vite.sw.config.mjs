import { defineConfig } from 'vite';
import base from './vite.config.mjs';

/**
 * The service worker, built after the app into dist/sw.js: one classic
 * script (module service workers are not in every phone's browser), with
 * every language's words inside, since an alert can arrive when no page is
 * open to load them. The app's build empties dist; this one adds to it.
 */
/** The words an alert can use (notes.ts WORDING): the rest of each dictionary stays out of the worker. */
const ALERT_WORDS = /^  '?(note_\w+|res_\w+|link_\w+|regen_\w+|hoursValue)'?: /;

function onlyAlertWords() {
  return {
    name: 'hyphae-alert-words',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/src\/i18n\/[a-z]{2}\.ts$/.test(id)) return null;
      // One "  key: 'value'," per line (i18n.test.ts keeps them so); other entries of the object are dropped.
      return code
        .split('\n')
        .filter((line) => !/^  ['\w]/.test(line) || ALERT_WORDS.test(line))
        .join('\n');
    },
  };
}

export default defineConfig({
  ...base,
  plugins: [...base.plugins, onlyAlertWords()],
  publicDir: false,
  build: {
    target: 'es2020',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    reportCompressedSize: true,
    lib: { entry: 'src/sw.ts', formats: ['iife'], name: 'hyphaeServiceWorker', fileName: () => 'sw.js' },
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
});
