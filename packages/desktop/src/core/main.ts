#!/usr/bin/env node
/**
 * Starts the desktop core (cli.ts). While the built core (`npm run build -w @multidesk/desktop`,
 * see builtCore.ts) is up to date with every file it was made from, that one file runs; otherwise
 * the sources run as they are, so an edit never runs stale code.
 *
 * The built core replaces this process (execve: the same pid, stdio and signals) with a fresh Node
 * that has the runtime settings of builtCore.ts, so nothing of this launcher, TypeScript stripping
 * included, stays in memory. Where execve is missing (Windows) it runs in this process.
 */
import { pathToFileURL } from 'node:url';
import { BUILT_CORE, builtCoreIsFresh, CORE_NODE_FLAGS, coreEnvironment } from './builtCore.ts';

if (builtCoreIsFresh()) {
  try {
    const args = [process.execPath, ...CORE_NODE_FLAGS, ...process.execArgv, BUILT_CORE, ...process.argv.slice(2)];
    process.execve?.(process.execPath, args, coreEnvironment(process.env));
  } catch {
    // No execve on this platform: below, in this process.
  }
  await import(pathToFileURL(BUILT_CORE).href);
} else {
  await import('./cli.ts');
}
