import type { ReactNode } from 'react';

/** http(s) addresses, and www. ones, up to whitespace; closing punctuation stays text ("see https://x.com."). */
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"]+[^\s<>".,;:!?)\]}'»”]/gi;

/** The address a found link opens: only http and https ever become links. */
function hrefOf(found: string): string | null {
  try {
    const url = new URL(/^www\./i.test(found) ? `https://${found}` : found);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A message's text as text (React escapes it: markup in a message stays markup on screen), with
 * web addresses as links that open outside the app.
 */
export function MessageText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const href = hrefOf(match[0]);
    if (!href) continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(
      <a key={match.index} href={href} target="_blank" rel="noopener noreferrer">
        {match[0]}
      </a>,
    );
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
