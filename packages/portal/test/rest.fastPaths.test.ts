import assert from 'node:assert/strict';
import { test } from 'node:test';
import qs from 'qs';
import { parsePhpQuery } from '../src/http/bodyParsers.ts';
import { isoDateTime, successJson, unchanging } from '../src/rest/envelope.ts';
import { parseRestPath } from '../src/rest/path.ts';

/** Each fast path of the REST hot path answers exactly what the general way would. */

test('a plain query string parses as qs parses it', () => {
  const cases = [
    '',
    'a',
    'a=',
    '=b',
    '=',
    '&',
    '&&a=1&&',
    'auth=abc-DEF_123.x~y',
    'a=1&b=2',
    'a=1&a=2',
    'a=b=c',
    'a.b=1',
    'A=1&a=2',
    'toString=1',
    '__proto__=1',
    'constructor=x&a=1',
    'x[y]=1',
    'a=%20',
    'a+b=c+d',
    `a=1${'&b=2'.repeat(2100)}`,
    Array.from({ length: 2100 }, (_, i) => `k${i}=${i}`).join('&'),
  ];
  for (const text of cases) {
    const expected = qs.parse(text, { depth: 6, arrayLimit: 200, parameterLimit: 2000, allowPrototypes: false, strictDepth: false });
    const parsed = parsePhpQuery(text);
    assert.deepEqual(parsed, expected, text.slice(0, 40));
    assert.equal(JSON.stringify(parsed), JSON.stringify(expected), text.slice(0, 40));
  }
});

/** parseRestPath as it was first written: split on slashes, empty segments skipped. */
function restPathBySplit(url: string) {
  const end = url.indexOf('?');
  const segments: (string | null)[] = [];
  for (const raw of (end < 0 ? url : url.slice(0, end))
    .split('/')
    .filter((segment) => segment !== '')
    .slice(1)) {
    try {
      segments.push(decodeURIComponent(raw));
    } catch {
      segments.push(null);
    }
  }
  if (segments.includes(null) || segments.length > 3) return null;
  const [first, second, third] = segments as string[];
  if (segments.length === 1 && first) return { method: first };
  if (segments.length === 3 && first && second && third && /^\d{1,10}$/.test(first)) {
    return { method: third, webhook: { kind: 'webhook', memberId: Number(first), secret: second } };
  }
  return null;
}

test('a REST path is read as splitting it on slashes reads it', () => {
  const parts = ['', 'rest', 'REST', 'user.current', 'user.current.json', '12', 's3cret', '%41b', '%E0%A4%A', 'a?b', '?x=/y', '/'];
  const urls = new Set<string>(['', '/', '?', '/rest', '/rest?auth=a/b', '//rest//user.get//', '/rest/1/2/3/4']);
  for (const a of parts) for (const b of parts) for (const c of parts) urls.add(`/${a}/${b}/${c}`).add(`/rest/${a}/${b}/${c}`);
  for (const url of urls) assert.deepEqual(parseRestPath(url), restPathBySplit(url), url);
});

test('an unchanging result is written as JSON.stringify writes the whole answer, every time', () => {
  const time = {
    start: 1796536690.539306,
    finish: 1796536690.542378,
    duration: 0.003072,
    processing: 0.000424,
    date_start: '2026-12-06T05:58:10+00:00',
    date_finish: '2026-12-06T05:58:10+00:00',
    operating: 0.0004,
    operating_reset_at: 1796537290,
  };
  const result = unchanging({ ID: '1', NAME: 'Anna "A" \u2028', UF_DEPARTMENT: [1], nested: { a: null } });
  assert.ok(Object.isFrozen(result.UF_DEPARTMENT) && Object.isFrozen(result.nested), 'frozen all the way down');
  for (const body of [
    { result, time },
    { result, total: 120, next: 50, time },
    { result, total: 3, time },
  ]) {
    assert.equal(successJson(body), JSON.stringify(body));
    assert.equal(successJson(body), JSON.stringify(body), 'the second time, from the JSON written once');
  }
  const plain = { result: { ID: '2' }, time };
  assert.equal(successJson(plain), JSON.stringify(plain));
});

test("isoDateTime writes each second as PHP's date('c') does, however the calls interleave", () => {
  for (const ms of [0, 999, 1000, 1796536690539, 1796536690999, 1796536691000, 1796536690000, 253402300799999]) {
    assert.equal(isoDateTime(ms), new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00'));
  }
});
