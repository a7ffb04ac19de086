/**
 * `npm run build:core`: the core as one bundled file, dist/core/cli.cjs (see builtCore.ts), which
 * main.ts runs while it is up to date. One file instead of about 950 modules (TypeBox alone is
 * 680) and no TypeScript stripping at run time: the core's process holds about 40 MiB less and
 * starts in a fraction of the time.
 *
 * CommonJS, ASCII, no comments: an ES module's `import … from 'node:http'` reads every export of
 * http, WebSocket included, which loads Node's own copy of undici besides ours; a source with one
 * character beyond Latin-1 is kept by V8 at two bytes a character.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { BUILT_CORE, BUILT_CORE_DIR, writeInputs } from './builtCore.ts';

const ENTRY = fileURLToPath(new URL('./cli.ts', import.meta.url));

rmSync(BUILT_CORE_DIR, { recursive: true, force: true });
const moduleFiles: string[] = [];
const build = await rolldown({
  input: ENTRY,
  platform: 'node',
  // A native module: its loader picks the binary of the platform at run time.
  external: ['@napi-rs/keyring'],
  plugins: [
    {
      // undici's cookie helpers (which the core does not use) check a Headers object against Node's
      // own Headers as well, at load: reading globalThis.Headers loads Node's built-in copy of
      // undici for nothing. Their check keeps undici's own Headers.
      name: 'undici-cookies-without-node-undici',
      transform(code, id) {
        if (!id.replaceAll('\\', '/').endsWith('/undici/lib/web/cookies/index.js')) return null;
        const patched = code.replace('[Headers, globalThis.Headers].filter(Boolean)', '[Headers]');
        if (patched === code) this.warn('undici/lib/web/cookies no longer reads globalThis.Headers as expected: left as it is');
        return patched;
      },
    },
    {
      name: 'inputs',
      buildEnd() {
        // Files only: builtins and virtual modules have ids that are no path.
        for (const id of this.getModuleIds()) if (id.startsWith('/') || /^[A-Za-z]:[\\/]/.test(id)) moduleFiles.push(id);
      },
    },
  ],
});
await build.write({ file: BUILT_CORE, format: 'cjs', charset: 'ascii', comments: false });
await build.close();
// This script and its helper are inputs too: a change to how the core is built rebuilds it.
const count = writeInputs([...moduleFiles, fileURLToPath(import.meta.url), fileURLToPath(new URL('./builtCore.ts', import.meta.url))]);
console.log(`built ${BUILT_CORE} from ${count} files`);
