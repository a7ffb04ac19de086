/** The arrow keys that step along a row of items, or down a column. */
const STEP_KEYS = {
  horizontal: { next: 'ArrowRight', previous: 'ArrowLeft' },
  vertical: { next: 'ArrowDown', previous: 'ArrowUp' },
} as const;

/**
 * Where a key moves focus among `count` items from `index` (the WAI-ARIA roving focus of tabs and
 * menus): the arrow keys of `orientation` step one item and wrap at the ends, Home and End jump to
 * the first and the last. Null for any other key.
 */
export function rovingIndex(key: string, index: number, count: number, orientation: 'horizontal' | 'vertical'): number | null {
  const { next, previous } = STEP_KEYS[orientation];
  switch (key) {
    case next:
      return (index + 1) % count;
    case previous:
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
