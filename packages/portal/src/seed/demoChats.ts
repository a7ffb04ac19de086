import { addChatMembers, advanceReadMark, createChat, ensurePrivateChat, findPrivateChat } from '../store/chats.ts';
import { insertMessage } from '../store/messages.ts';
import type { Executor } from '../store/schema.ts';
import { demoMembers } from './demoMembers.ts';

const MINUTE = 60_000;

/** `[who, minutes before seeding, text]`; people are named by the start of their demo e-mail. */
type Line = [string, number, string];

interface DemoChat {
  /** A group chat's title; private dialogs have none. */
  title?: string;
  members: string[];
  lines: Line[];
  /** How many of the last lines anna has not read (none of them hers). */
  annaUnread: number;
}

/** A short, realistic history in each portal, with something unread for anna everywhere. */
const DEMO_CHATS: Record<string, DemoChat[]> = {
  acme: [
    {
      title: 'Acme team',
      members: ['anna', 'ben', 'olivia', 'marcus'],
      lines: [
        ['anna', 300, 'Good morning! Stand-up moves to 10:30 today.'],
        ['ben', 296, 'Works for me.'],
        ['olivia', 290, 'I will bring the new mock-ups.'],
        ['marcus', 120, 'The Henderson deal is signed 🎉'],
        ['ben', 25, 'Deploy of 2.4 is done, release notes are in the wiki.'],
        ['olivia', 8, 'Anna, can you look at the banner before lunch?'],
      ],
      annaUnread: 2,
    },
    {
      title: 'Website relaunch',
      members: ['anna', 'olivia', 'ben'],
      lines: [
        ['olivia', 1500, 'Here are three variants of the landing page.'],
        ['anna', 1480, 'I like the second one: clear and calm.'],
        ['ben', 1470, 'The second one is also the easiest to build.'],
        ['olivia', 1460, 'Second it is. Final files on Friday.'],
      ],
      annaUnread: 0,
    },
    {
      members: ['anna', 'ben'],
      lines: [
        ['ben', 200, 'Do you have a minute for the budget sheet?'],
        ['anna', 195, 'After 3 pm, is that OK?'],
        ['ben', 190, 'Sure.'],
        ['ben', 15, 'I added the Q4 numbers; row 14 needs your approval.'],
      ],
      annaUnread: 1,
    },
    {
      members: ['anna', 'olivia'],
      lines: [
        ['olivia', 2900, 'Thanks for the feedback yesterday!'],
        ['anna', 2890, 'Any time. Great work on the icons.'],
      ],
      annaUnread: 0,
    },
  ],
  globex: [
    {
      title: 'Globex sales',
      members: ['ben', 'anna', 'marcus', 'sofia'],
      lines: [
        ['ben', 600, 'Weekly numbers: 112% of target.'],
        ['marcus', 590, 'Two more demos booked for Thursday.'],
        ['anna', 580, 'Great job, everyone.'],
        ['sofia', 60, 'Support backlog is down to 12 tickets.'],
        ['marcus', 40, 'Anna, the Initrode contract needs your signature.'],
        ['ben', 12, 'Reminder: pipeline review at 4 pm.'],
      ],
      annaUnread: 3,
    },
    {
      members: ['anna', 'sofia'],
      lines: [
        ['anna', 400, 'How is the new help centre going?'],
        ['sofia', 30, 'Almost done! Can you review the FAQ?'],
        ['sofia', 29, 'It is in the shared folder, "FAQ draft 3".'],
      ],
      annaUnread: 2,
    },
  ],
  initech: [
    {
      title: 'Initech finance',
      members: ['chen', 'anna', 'priya'],
      lines: [
        ['chen', 900, 'Month-end closing starts Monday.'],
        ['priya', 880, 'Reports are ready for review.'],
        ['anna', 870, 'Thanks, I will go through them tomorrow.'],
        ['chen', 45, 'Please submit your expense reports by Friday.'],
      ],
      annaUnread: 1,
    },
    {
      members: ['anna', 'chen'],
      lines: [
        ['chen', 700, 'Invoice 2024-118 is paid.'],
        ['chen', 20, 'Do you have the TPS report cover sheet?'],
      ],
      annaUnread: 1,
    },
    {
      members: ['priya', 'dora'],
      lines: [
        ['priya', 500, 'Welcome aboard, Dora!'],
        ['dora', 490, 'Thank you! Glad to be here.'],
      ],
      annaUnread: 0,
    },
  ],
};

/** Whether the chat was seeded already: group chats by title, private dialogs by their pair. */
async function exists(db: Executor, portalId: number, chat: DemoChat, member: (who: string) => number): Promise<boolean> {
  if (chat.title === undefined) {
    const [a, b] = chat.members.map(member) as [number, number];
    return (await findPrivateChat(db, portalId, a, b)) !== undefined;
  }
  const row = await db
    .selectFrom('chats')
    .select('id')
    .where('portal_id', '=', portalId)
    .where('title', '=', chat.title)
    .where('type', '<>', 'private')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Adds the demo chats each portal lacks, with their history and read marks (anna has unread
 * messages in every portal), so running it again changes nothing. No realtime events: nobody was
 * connected when this "happened".
 */
export async function seedDemoChats(db: Executor, portalIds: ReadonlyMap<string, number>, now: number): Promise<void> {
  for (const [portalName, chats] of Object.entries(DEMO_CHATS)) {
    const portalId = portalIds.get(portalName);
    if (portalId === undefined) continue;
    const members = await demoMembers(db, portalId);
    const member = (who: string): number => {
      const id = members.get(who);
      if (id === undefined) throw new Error(`demo chat on ${portalName} names ${who}, who is not a member there`);
      return id;
    };
    for (const chat of chats) {
      if (await exists(db, portalId, chat, member)) continue;
      const memberIds = chat.members.map(member);
      const startedAt = now - ((chat.lines[0]?.[1] ?? 0) + 10) * MINUTE;
      const created =
        chat.title === undefined
          ? await ensurePrivateChat(db, portalId, memberIds[0] as number, memberIds[1] as number, startedAt)
          : await createChat(db, {
              portalId,
              type: 'chat',
              title: chat.title,
              ownerMemberId: memberIds[0] as number,
              memberIds,
              now: startedAt,
            });
      await addChatMembers(db, created.id, memberIds, startedAt);
      const ids: number[] = [];
      for (const [who, minutesAgo, text] of chat.lines) {
        const at = now - minutesAgo * MINUTE;
        const { message } = await insertMessage(db, {
          chatId: created.id,
          authorMemberId: member(who),
          text,
          clientMessageId: null,
          now: at,
        });
        ids.push(message.id);
      }
      const newest = ids.at(-1) ?? 0;
      for (const [index, memberId] of memberIds.entries()) {
        const isAnna = chat.members[index] === 'anna';
        const readUpTo = isAnna ? (ids[ids.length - 1 - chat.annaUnread] ?? 0) : newest;
        await advanceReadMark(db, created.id, memberId, readUpTo);
      }
    }
  }
}
