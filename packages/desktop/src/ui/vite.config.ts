import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The two app windows, built as plain static pages that the core's bridge serves.
 * The bridge's CSP allows only same-origin scripts and styles: nothing here may be inlined.
 */
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${here}/../../dist/ui`,
    emptyOutDir: true,
    // Never inline assets as data: URLs into scripts or styles; keep every file a same-origin request.
    assetsInlineLimit: 0,
    // The polyfill is only for browsers without modulepreload; Chromium has it.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        workspace: `${here}/workspace.html`,
        messenger: `${here}/messenger.html`,
      },
      output: {
        // Two shared chunks with names that say what they hold: React and the like, and our own.
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /node_modules/ },
            { name: 'shared', test: /\/(ui\/shared|ui\/i18n|protocol\/src)\/|\/ui\/bridgeClient\.ts$/ },
          ],
        },
      },
    },
  },
});
