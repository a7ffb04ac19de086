import { spawn } from 'node:child_process';

/** Opens a URL in a browser the user sees; resolves once the opener has started. */
export type OpenUrl = (url: string) => Promise<void>;

/** The platform's "open with the default browser" command; the URL is one argument, never shell text. */
function platformOpener(url: string): [string, string[]] {
  switch (process.platform) {
    case 'darwin':
      return ['open', [url]];
    case 'win32':
      // `start` would need cmd.exe, which reads & and ^ in the URL as its own syntax.
      return ['rundll32', ['url.dll,FileProtocolHandler', url]];
    default:
      return ['xdg-open', [url]];
  }
}

/**
 * The system browser for single sign-on (RFC 8252: the user's own browser, where their identity
 * provider session and password manager live), or `browser` when given (`--sso-browser`). Not the
 * app windows' browser: that one runs a private profile of Multidesk's.
 */
export function systemBrowser(browser?: string): OpenUrl {
  return (url) =>
    new Promise((resolve, reject) => {
      const [command, args] = browser ? [browser, [url]] : platformOpener(url);
      // Detached: the browser belongs to the user and outlives Multidesk.
      const child = spawn(command, args, { stdio: 'ignore', detached: true });
      child.once('error', (error) =>
        reject(new Error(`${command} could not be started (${(error as NodeJS.ErrnoException).code ?? error.message})`)),
      );
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
}
