import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDateTime } from '../src/rest/dateTime.ts';

test('an ISO 8601 date-time with an offset is read as that instant', () => {
  assert.equal(parseDateTime('2026-12-01T18:00:00+03:00'), Date.UTC(2026, 11, 1, 15));
  assert.equal(parseDateTime('2026-12-01T18:00:00-0130'), Date.UTC(2026, 11, 1, 19, 30));
  assert.equal(parseDateTime('2026-12-01T18:00:00Z'), Date.UTC(2026, 11, 1, 18));
  assert.equal(parseDateTime('2026-12-01T18:00:00.987Z'), Date.UTC(2026, 11, 1, 18));
});

test('a date-time without an offset is UTC, and a date alone is its midnight', () => {
  assert.equal(parseDateTime('2026-12-01 18:30'), Date.UTC(2026, 11, 1, 18, 30));
  assert.equal(parseDateTime('2026-12-01'), Date.UTC(2026, 11, 1));
});

test('impossible or malformed dates are refused', () => {
  for (const text of [
    '',
    'tomorrow',
    '2026-02-30T10:00:00Z',
    '2026-13-01',
    '2026-12-01T24:00:00Z',
    '2026-12-01T18:60:00Z',
    '2026-12-01T18:00:00+15:00',
    '01.12.2026 18:00:00',
    "2026-12-01' OR '1'='1",
  ]) {
    assert.equal(parseDateTime(text), undefined, text);
  }
});
