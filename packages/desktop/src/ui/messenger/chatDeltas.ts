import type { ChatView, MessageView } from '@multidesk/protocol/bridge';

/** A chat as a delta gives it: a new last message brings it to the top, anything else changes it in place. */
export function placeChat(chats: ChatView[], chat: ChatView): ChatView[] {
  const shown = chats.find((c) => c.dialogId === chat.dialogId);
  if (shown && shown.lastMessage?.id === chat.lastMessage?.id) return chats.map((c) => (c === shown ? chat : c));
  return [chat, ...chats.filter((c) => c !== shown)];
}

/** Oldest first, each id once: `message` replaces the one with its id, or joins in order. */
export function upsertMessage(messages: MessageView[], message: MessageView): MessageView[] {
  const at = messages.findIndex((m) => m.id === message.id);
  if (at >= 0) return messages.with(at, message);
  const next = [...messages, message];
  return message.id < (messages.at(-1)?.id ?? 0) ? next.sort((a, b) => a.id - b.id) : next;
}
