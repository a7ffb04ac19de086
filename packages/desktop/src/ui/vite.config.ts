import { BridgeEvent } from '@multidesk/protocol/bridge';
import react from '@vitejs/plugin-react';
import { Code } from 'typebox/compile';
import { defineConfig, type Plugin } from 'vite';

/**
 * The two app windows, built as plain static pages that the core's bridge serves.
 * The bridge's CSP allows only same-origin scripts and styles: nothing here may be inlined.
 */
const here = import.meta.dirname;

const EVENT_CHECK_MODULE = `${here}/bridgeEventCheck.ts`;

/**
 * bridgeEventCheck.ts as the windows get it: the check TypeBox compiles from the schema, as an ES
 * module written at build time (the CSP allows no `new Function` in the page).
 */
export function aheadOfTimeCheck(): string {
  const { Code: code, External } = Code(BridgeEvent);
  // Values the code would need handed in at run time (none for plain JSON shapes): fail the build, not the check.
  if (External.variables.length > 0) throw new Error('BridgeEvent needs external values: compile it at run time instead');
  return `${code}\nexport const isBridgeEvent = Check;\n`;
}

const aheadOfTimeChecks: Plugin = {
  name: 'multidesk-ahead-of-time-checks',
  load(id) {
    return id === EVENT_CHECK_MODULE ? aheadOfTimeCheck() : null;
  },
};

export default defineConfig({
  root: here,
  base: '/',
  plugins: [aheadOfTimeChecks, react()],
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
