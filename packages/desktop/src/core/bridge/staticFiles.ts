import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** A request path whose percent-encoding cannot be decoded: the client's mistake (400), not ours. */
export class MalformedPathError extends Error {}

function decodePath(urlPath: string): string {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    throw new MalformedPathError(`Malformed percent-encoding in ${JSON.stringify(urlPath.slice(0, 100))}`);
  }
}

/** Reads a file of the built UI; anything outside its folder or unknown is null. */
export async function readUiFile(uiDir: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  const relative = normalize(decodePath(urlPath)).replace(/^([/\\])+/, '');
  const file = join(uiDir, relative);
  if (!file.startsWith(uiDir + sep)) return null;
  const type = TYPES[extname(file)];
  if (!type) return null;
  try {
    return { body: await readFile(file), type };
  } catch {
    return null;
  }
}
