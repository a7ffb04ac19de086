import type { ChatView } from '@multidesk/protocol/bridge';

/** A chat as a delta gives it: a new last message brings it to the top, anything else changes it in place. */
export function placeChat(chats: ChatView[], chat: ChatView): ChatView[] {
  const shown = chats.find((c) => c.dialogId === chat.dialogId);
  if (shown && shown.lastMessage?.id === chat.lastMessage?.id) return chats.map((c) => (c === shown ? chat : c));
  return [chat, ...chats.filter((c) => c !== shown)];
}
