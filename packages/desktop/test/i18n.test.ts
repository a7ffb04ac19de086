import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { currentLocale, i18n, setLocale } from '../src/ui/i18n/i18n.ts';
import { formatNumber } from '../src/ui/shared/format.ts';

/**
 * The windows' catalogues (src/ui/i18n/en.json, ru.json): every key in both languages, with the
 * plural forms each language needs, and every key the code asks for (`t('…')`, `i18nKey="…"`) in them.
 */

const UI = fileURLToPath(new URL('../src/ui/', import.meta.url));
const catalogue = (locale: string) => JSON.parse(readFileSync(join(UI, 'i18n', `${locale}.json`), 'utf8')) as Record<string, unknown>;

function flatten(tree: Record<string, unknown>, prefix = ''): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [name, value] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (typeof value === 'string') keys.set(key, value);
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of flatten(value as Record<string, unknown>, key)) keys.set(k, v);
    else assert.fail(`${key} is neither text nor a group`);
  }
  return keys;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** A key as the code names it: plural forms without their suffix. */
const baseOf = (key: string) => key.replace(PLURAL, '');
/** The plural forms of each plural key. */
function plurals(keys: Map<string, string>): Map<string, Set<string>> {
  const forms = new Map<string, Set<string>>();
  for (const key of keys.keys()) {
    const form = PLURAL.exec(key)?.[1];
    if (form) forms.set(baseOf(key), (forms.get(baseOf(key)) ?? new Set()).add(form));
  }
  return forms;
}

const en = flatten(catalogue('en'));
const ru = flatten(catalogue('ru'));

/** Every .ts and .tsx file of the UI, but the catalogues' own module. */
function sources(dir = UI): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !path.includes(`${join('ui', 'i18n')}`) ? [path] : [];
  });
}

/** The keys the code names: `t('…')` (also as `translate('…')`) and `<Trans i18nKey="…">`. */
function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\b(?:t|translate)\(\s*(['"`])([^'"`]*)\1/g)) used.set(match[2] as string, file);
    for (const match of text.matchAll(/i18nKey=["']([^"']+)["']/g)) used.set(match[1] as string, file);
    // A key built at run time cannot be checked: the code names each one whole.
    const dynamic = /\b(?:t|translate)\(\s*(?!['"])[^)]/.exec(text.replace(/\bt\(\s*\)/g, ''));
    assert.equal(dynamic, null, `${file}: t() is called with a key that is not a literal (${dynamic?.[0]})`);
    assert.doesNotMatch(text, /\b(?:t|translate)\(\s*`[^`]*\$\{/, `${file}: a key built from a template`);
  }
  return used;
}

describe('catalogues', () => {
  test('every key is in both languages', () => {
    const enBases = new Set([...en.keys()].map(baseOf));
    const ruBases = new Set([...ru.keys()].map(baseOf));
    assert.deepEqual(
      [...enBases].filter((k) => !ruBases.has(k)),
      [],
      'missing in ru.json',
    );
    assert.deepEqual(
      [...ruBases].filter((k) => !enBases.has(k)),
      [],
      'missing in en.json',
    );
  });

  test('plural keys have the forms of their language: one and other in English; one, few, many and other in Russian', () => {
    const enPlurals = plurals(en);
    const ruPlurals = plurals(ru);
    assert.ok(enPlurals.size > 0);
    for (const [key, forms] of enPlurals) assert.deepEqual([...forms].sort(), ['one', 'other'], `en ${key}`);
    for (const [key, forms] of ruPlurals) assert.deepEqual([...forms].sort(), ['few', 'many', 'one', 'other'], `ru ${key}`);
    assert.deepEqual([...enPlurals.keys()].sort(), [...ruPlurals.keys()].sort());
  });

  test('no text is empty, and placeholders are the same in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of en) assert.notEqual(text.trim(), '', `en ${key}`);
    for (const [key, text] of ru) {
      assert.notEqual(text.trim(), '', `ru ${key}`);
      const english = en.get(key) ?? en.get(`${baseOf(key)}_other`) ?? '';
      assert.deepEqual(new Set(names(text)), new Set(names(english)), `ru ${key}: ${text}`);
    }
  });

  test('every key the code uses is in the catalogues, and every catalogue key is used', () => {
    const used = usedKeys();
    assert.ok(used.size > 100, `only ${used.size} keys found: is the scan broken?`);
    const bases = new Set([...en.keys()].map(baseOf));
    const missing = [...used].filter(([key]) => !bases.has(key)).map(([key, file]) => `${key} (${file.slice(UI.length)})`);
    assert.deepEqual(missing, [], 'keys used in the code but missing from en.json and ru.json');
    assert.deepEqual(
      [...bases].filter((key) => !used.has(key)),
      [],
      'keys in the catalogues that no code uses',
    );
  });
});

describe('language', () => {
  test('Russian plurals: 1 сообщение, 2 сообщения, 5 сообщений, 21 сообщение', () => {
    setLocale('ru');
    try {
      assert.equal(currentLocale(), 'ru');
      assert.equal(i18n.t('unread.messages', { count: 1 }), '1 непрочитанное сообщение');
      assert.equal(i18n.t('unread.messages', { count: 2 }), '2 непрочитанных сообщения');
      assert.equal(i18n.t('unread.messages', { count: 5 }), '5 непрочитанных сообщений');
      assert.equal(i18n.t('unread.messages', { count: 11 }), '11 непрочитанных сообщений');
      assert.equal(i18n.t('unread.messages', { count: 21 }), '21 непрочитанное сообщение');
      assert.equal(i18n.t('myTasks.summaryIn', { count: 2 }), 'в 2 учётных записях');
      assert.equal(formatNumber(12345), new Intl.NumberFormat('ru').format(12345));
    } finally {
      setLocale('en');
    }
    assert.equal(i18n.t('unread.messages', { count: 1 }), '1 unread message');
    assert.equal(i18n.t('unread.messages', { count: 5 }), '5 unread messages');
  });

  test('an unknown language is English', () => {
    setLocale('de');
    assert.equal(currentLocale(), 'en');
    assert.equal(i18n.t('settings.title'), 'Settings');
    setLocale(undefined);
    assert.equal(currentLocale(), 'en');
  });

  test('the accessible names of the UI contract are the English texts', () => {
    setLocale('en');
    for (const [key, name] of [
      ['tabs.accounts', 'Accounts'],
      ['tabs.add', 'Add Bitrix24'],
      ['signIn.address', 'Bitrix24 address'],
      ['signIn.login', 'Login'],
      ['signIn.password', 'Password'],
      ['signIn.logIn', 'Log in'],
      ['signIn.network', 'Sign in using login and password'],
      ['portalChoice.changeUser', 'Change user'],
      ['signIn.qr', 'Log in with QR code'],
      ['signIn.sso', 'Log in with single sign-on'],
      ['portalChoice.open', 'Open'],
      ['qr.image', 'QR code'],
      ['signIn.webhook', 'Connect with a webhook'],
      ['signIn.app', 'Connect with a Bitrix24 app'],
      ['common.connect', 'Connect'],
      ['webhook.url', 'Webhook URL'],
      ['app.clientId', 'Client ID'],
      ['app.clientSecret', 'Client secret'],
      ['accountMenu.disconnect', 'Disconnect'],
      ['common.delete', 'Delete'],
    ]) {
      assert.equal(i18n.t(key as string), name, key);
    }
    assert.equal(i18n.t('accountMenu.moreFor', { portal: 'Acme Corp' }), 'More actions for Acme Corp');
  });
});
