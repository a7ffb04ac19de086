import { initials } from './format.ts';

const PALETTE = ['#1f6fb2', '#2e7d4f', '#8a4fb5', '#b04a2f', '#0f7c86', '#9a5b00', '#5a6b7d', '#b0306a'];

/** A stable colour for a name, from a small palette readable under white text. */
export function colorFor(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return PALETTE[hash % PALETTE.length] ?? '#5a6b7d';
}

/**
 * Initials on a colour derived from the name. Decorative: the name is always next to it or in the
 * control's accessible name. A picture, not text: the initials are drawn by CSS (`data-initials`), so
 * they are not part of a control's visible label, which must be in its accessible name (WCAG 2.5.3).
 */
export function Avatar({ name, size = 'md' }: { name: string; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <span
      className={`avatar avatar-${size}`}
      style={{ backgroundColor: colorFor(name) }}
      data-initials={initials(name)}
      aria-hidden="true"
    />
  );
}
