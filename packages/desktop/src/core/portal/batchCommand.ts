/**
 * One command of Bitrix24's `batch`: `method?query`, the parameters in PHP's nested form
 * (`filter[ACTIVE]=true&order[ID]=desc`), as the portal parses any form body.
 */
export function batchCommand(method: string, params: Record<string, unknown> = {}): string {
  const pairs: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (value !== null && typeof value === 'object') {
      for (const [sub, inner] of Object.entries(value)) add(`${key}[${sub}]`, inner);
      return;
    }
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(value === null ? '' : String(value))}`);
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return pairs.length > 0 ? `${method}?${pairs.join('&')}` : method;
}
