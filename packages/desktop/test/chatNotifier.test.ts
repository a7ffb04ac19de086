import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTestPortal, type TestPortal } from '../../portal/test/harness.ts';
import { restAs } from '../../portal/test/tokens.ts';
import type { ChatNotification } from '../src/core/chats/chatNotifier.ts';
import { MemoryVault } from '../src/core/vault/memoryVault.ts';
import { nextChatChange, signInEach, startTestCore } from './coreHarness.ts';

let portal: TestPortal;
let core: Awaited<ReturnType<typeof startTestCore>>;
let id: string;
let annaUserId: number;
let benDialog: string;
let teamDialog: string;
/** Every notification the core raised, in order. */
const seen: ChatNotification[] = [];

/** Resolves with the first `event` (since now) that `match` accepts; fails after 10 s. */
function next<A extends unknown[]>(
  on: (listener: (...args: A) => void) => void,
  off: (listener: (...args: A) => void) => void,
  match: (...args: A) => boolean,
  what: string,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off(listener);
      reject(new Error(`timed out waiting for ${what}`));
    }, 10_000);
    const listener = (...args: A) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      off(listener);
      resolve(args);
    };
    on(listener);
  });
}

const notified = (body: string) =>
  next<[ChatNotification]>(
    (l) => core.notifier.on('notify', l),
    (l) => core.notifier.off('notify', l),
    (n) => n.body === body,
    `a notification "${body}"`,
  ).then(([n]) => n);

const chatsChanged = (dialogId: string) => nextChatChange(core, id, dialogId);

const benPosts = (dialogId: string | number, text: string) =>
  restAs(portal, 'acme', 'ben@example.com', 'im.message.add', { DIALOG_ID: dialogId, MESSAGE: text });

async function untilLive(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!core.manager.isLive(id)) {
    if (Date.now() > deadline) assert.fail('the account never went live');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  portal = await startTestPortal();
  core = await startTestCore(new MemoryVault());
  id = (await signInEach(core, portal, ['acme'])).acme as string;
  annaUserId = core.manager.list()[0]?.userId as number;
  core.notifier.on('notify', (n) => seen.push(n));
  const chats = (await core.chats.list({ id })).chats;
  benDialog = chats.find((c) => c.kind === 'user' && c.title.startsWith('Ben'))?.dialogId as string;
  teamDialog = chats.find((c) => c.title === 'Acme team')?.dialogId as string;
  assert.ok(benDialog && teamDialog, JSON.stringify(chats.map((c) => c.title)));
  await untilLive();
});
after(async () => {
  await core.close();
  core.removeProfile();
  await portal.close();
});
beforeEach(() => core.notifier.setViewing(null));

describe('chat notifications', () => {
  test("ben's message to anna raises one notification titled with his name and the portal", async () => {
    const notification = notified('Lunch at noon?');
    await benPosts(annaUserId, 'Lunch at noon?');
    const n = await notification;
    assert.equal(n.accountId, id);
    assert.equal(n.dialogId, benDialog);
    assert.match(n.title, /Ben Carter/);
    assert.match(n.title, /Acme Corp/);
    assert.equal(n.body, 'Lunch at noon?');
    assert.equal(seen.filter((s) => s.body === 'Lunch at noon?').length, 1);
  });

  test('a message in a group chat names the chat in the title and the author in the body', async () => {
    const notification = notified('Ben Carter: Banner is live');
    await benPosts(teamDialog, 'Banner is live');
    const n = await notification;
    assert.equal(n.dialogId, teamDialog);
    assert.match(n.title, /Acme team/);
    assert.match(n.title, /Acme Corp/);
  });

  test('the chat anna is looking at raises none; another chat still does', async () => {
    core.notifier.setViewing({ id, dialogId: benDialog });
    const arrived = chatsChanged(benDialog);
    await benPosts(annaUserId, 'You are reading this already');
    await arrived;
    const other = notified('Ben Carter: Meanwhile in the team chat');
    await benPosts(teamDialog, 'Meanwhile in the team chat');
    assert.equal((await other).dialogId, teamDialog);
    assert.deepEqual(
      seen.filter((s) => s.body.includes('You are reading this already')),
      [],
    );

    // Looking at the account but at no chat in particular: messages notify.
    core.notifier.setViewing({ id });
    const shown = notified('Now you are not');
    await benPosts(annaUserId, 'Now you are not');
    assert.equal((await shown).dialogId, benDialog);
  });

  test("anna's own messages, from this app or another device, never notify", async () => {
    const fromPhone = chatsChanged(benDialog);
    await restAs(portal, 'acme', 'anna@example.com', 'im.message.add', { DIALOG_ID: benDialog, MESSAGE: 'Written on my phone' });
    await fromPhone;
    const sent = await core.chats.send({ id, dialogId: benDialog, text: 'Written here' });
    assert.ok(sent.ok, JSON.stringify(sent));
    const outbox = core.manager.access(id).cache.outbox;
    const deadline = Date.now() + 10_000;
    while (outbox.list().length > 0) {
      if (Date.now() > deadline) assert.fail('the message was never sent');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Events arrive in order: once ben's reply notifies, anna's messages before it have been seen.
    const reply = notified('Got both');
    await benPosts(annaUserId, 'Got both');
    await reply;
    const page = await core.chats.messages({ id, dialogId: benDialog });
    assert.ok(page.ok);
    assert.deepEqual(
      page.messages.slice(-3).map((m) => m.text),
      ['Written on my phone', 'Written here', 'Got both'],
    );
    assert.deepEqual(
      seen.filter((s) => s.body.startsWith('Written')),
      [],
    );
  });

  test('Settings: notifications off for the account or for all raise none; sound off makes them silent', async () => {
    await core.preferences.update({ mutedAccounts: [id] });
    let arrived = chatsChanged(benDialog);
    await benPosts(annaUserId, 'Muted account');
    await arrived;
    await core.preferences.update({ mutedAccounts: [], notifications: false });
    arrived = chatsChanged(benDialog);
    await benPosts(annaUserId, 'All muted');
    await arrived;
    await core.preferences.update({ notifications: true, sound: false });
    const quiet = notified('Quietly now');
    await benPosts(annaUserId, 'Quietly now');
    assert.equal((await quiet).silent, true);
    await core.preferences.update({ sound: true });
    const loud = notified('With sound');
    await benPosts(annaUserId, 'With sound');
    assert.equal((await loud).silent, undefined);
    assert.deepEqual(
      seen.filter((s) => s.body.includes('uted')),
      [],
    );
  });

  test('messages that came while the account was disconnected are caught up without notifications', async () => {
    await core.manager.disconnect(id);
    await benPosts(annaUserId, 'While you were away');
    await benPosts(teamDialog, 'Team news while away');
    const caughtUp = Promise.all([chatsChanged(benDialog), chatsChanged(teamDialog)]);
    await core.manager.connect(id);
    await caughtUp;
    await untilLive();
    // Live again: the next message notifies, so the silence above was not a dead notifier.
    const fresh = notified('Welcome back');
    await benPosts(annaUserId, 'Welcome back');
    await fresh;
    assert.deepEqual(
      seen.filter((s) => s.body.includes('away')),
      [],
    );
  });
});
