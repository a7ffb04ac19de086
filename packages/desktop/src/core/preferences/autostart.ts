import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicFile.ts';

/** The XDG autostart entry (freedesktop.org Desktop Application Autostart): `$XDG_CONFIG_HOME/autostart/multidesk.desktop`. */
export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'autostart', 'multidesk.desktop');
}

/** One argument of an Exec line, quoted as the Desktop Entry spec asks when it holds a reserved character. */
export function execArgument(arg: string): string {
  if (arg !== '' && !/[\s"'\\><~|&;$*?#()`%=]/.test(arg)) return arg;
  return `"${arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%')}"`;
}

export function autostartEntry(command: readonly string[]): string {
  const exec = command.map(execArgument).join(' ');
  // Inside a desktop file's value a backslash is itself escaped.
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Multidesk',
    'Comment=Several Bitrix24 accounts in one app',
    `Exec=${exec.replace(/\\/g, '\\\\')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Starts Multidesk at login (writes the entry) or no longer (removes it). */
export async function setAutostart(file: string, command: readonly string[], on: boolean): Promise<void> {
  if (on) await writeFileAtomic(file, autostartEntry(command), 0o644);
  else await rm(file, { force: true });
}
