/**
 * `next`, with every part equal in value to the same part of `previous` replaced by that part of
 * `previous`; `previous` itself when nothing differs. A state pushed by the core is parsed anew each
 * time, so without this every memoized component that is handed a part of it (an account's tab, its
 * panel) renders again for every push: a message moves one account's unread count, and all ten tabs
 * rendered. Only plain JSON values (objects, arrays, primitives) are compared, as the bridge sends.
 */
export function keepUnchanged<T>(previous: T, next: T): T {
  if (Object.is(previous, next)) return previous;
  if (typeof previous !== 'object' || typeof next !== 'object' || previous === null || next === null) return next;
  if (Array.isArray(previous) !== Array.isArray(next)) return next;
  if (Array.isArray(previous)) return keepUnchangedItems(previous, next as unknown as unknown[]) as T;
  return keepUnchangedFields(previous as Record<string, unknown>, next as Record<string, unknown>) as T;
}

function keepUnchangedItems(previous: unknown[], next: unknown[]): unknown[] {
  let same = previous.length === next.length;
  const items = next.map((item, i) => {
    const kept = i < previous.length ? keepUnchanged(previous[i], item) : item;
    if (kept !== previous[i]) same = false;
    return kept;
  });
  return same ? previous : items;
}

function keepUnchangedFields(previous: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(previous).length;
  const fields: Record<string, unknown> = {};
  for (const key of keys) {
    const kept = Object.hasOwn(previous, key) ? keepUnchanged(previous[key], next[key]) : next[key];
    if (kept !== previous[key] || !Object.hasOwn(previous, key)) same = false;
    fields[key] = kept;
  }
  return same ? previous : fields;
}
