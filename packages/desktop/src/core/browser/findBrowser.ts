import { accessSync, constants } from 'node:fs';
import { Launcher } from 'chrome-launcher';

const LINUX_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/microsoft-edge',
  '/snap/bin/chromium',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An installed Chromium-family browser: the one asked for, else the first found on this system. */
export function findBrowser(requested?: string): string | null {
  if (requested) return executable(requested) ? requested : null;
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  for (const candidate of LINUX_CANDIDATES) if (executable(candidate)) return candidate;
  try {
    return Launcher.getInstallations().find(executable) ?? null;
  } catch {
    return null;
  }
}

export const INSTALL_HINT =
  'Multidesk opens its windows in an installed Chromium-family browser (Chromium, Google Chrome or Microsoft Edge), and none was found.\n' +
  'Install one (Debian/Ubuntu: sudo apt-get install chromium) or name it with --browser PATH.';
