import type { Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/** Times are epoch milliseconds everywhere: portable to PostgreSQL's bigint and cheap to compare. */
export interface PortalTable {
  id: Generated<number>;
  /** Host label: `acme` serves `acme.<base domain>`. */
  name: string;
  title: string;
  /** Bitrix24's `member_id`: an opaque, stable id of the portal installation. */
  member_id: string;
  created_at: number;
}

/** A network account: one login (e-mail) that may be a member of many portals. */
export interface UserTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  name: string;
  last_name: string;
  totp_secret: string | null;
  /** The last accepted TOTP time step: a code is accepted once. */
  totp_last_step: number | null;
  created_at: number;
}

export interface RecoveryCodeTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: number | null;
}

/** Membership of a user in a portal; its id is the Bitrix24 USER ID seen through REST. */
export interface MemberTable {
  id: Generated<number>;
  portal_id: number;
  user_id: number;
  role: 'admin' | 'user';
  active: number;
  work_position: string;
  created_at: number;
}

export interface OAuthCodeTable {
  code_hash: string;
  portal_id: number;
  member_id: number;
  client_id: string;
  code_challenge: string;
  device_name: string;
  expires_at: number;
  used_at: number | null;
  /** The sign-in this code was exchanged for: revoked when the code is presented again. */
  family_id: number | null;
}

/** A Bitrix24 app registered on one portal (`app create`): the client of the OAuth app flow. */
export interface OAuthAppTable {
  id: Generated<number>;
  portal_id: number;
  /** `local.<14 hex>.<8 digits>`, as Bitrix24 gives local apps. */
  client_id: string;
  secret_hash: string;
  title: string;
  /** The handler URL: the browser goes back there with the code. */
  redirect_uri: string;
  /** Comma-separated, as the app's tokens carry them. */
  scopes: string;
  created_at: number;
}

/** One sign-in of one client: every access and refresh token it ever gets belongs to it. */
export interface TokenFamilyTable {
  id: Generated<number>;
  portal_id: number;
  member_id: number;
  client_id: string;
  device_name: string;
  ip: string;
  user_agent: string;
  scope: string;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
}

export interface OAuthTokenTable {
  token_hash: string;
  family_id: number;
  kind: 'access' | 'refresh';
  expires_at: number;
  /** For refresh tokens: when it was rotated; presenting it again revokes the family. */
  used_at: number | null;
}

/** Browser sessions of a portal's web pages (portal_id set) or of the network (kind 'network'). */
export interface WebSessionTable {
  id_hash: string;
  kind: 'web' | 'network';
  user_id: number;
  portal_id: number | null;
  csrf_token: string;
  ip: string;
  user_agent: string;
  created_at: number;
  authenticated_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface WebhookTable {
  id: Generated<number>;
  portal_id: number;
  member_id: number;
  secret_hash: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

/**
 * A desktop's QR sign-in request. `id` is the opaque value in the QR (not a credential on its
 * own); only the hash of the desktop's poll token is kept. Site: a portal, or the network (null).
 */
export interface QrRequestTable {
  id: string;
  poll_token_hash: string;
  portal_id: number | null;
  client_id: string;
  code_challenge: string;
  device_name: string;
  device_os: string;
  app_version: string;
  /** The requester's address, shown to the approver. */
  ip: string;
  created_at: number;
  /** Until when it may be approved or denied. */
  expires_at: number;
  status: 'pending' | 'approved' | 'denied';
  decided_at: number | null;
  approver_user_id: number | null;
  /** The approver's membership when the request was made on a portal. */
  approver_member_id: number | null;
  /** When the desktop collected the approval: it is collected once. */
  redeemed_at: number | null;
}

/** A Bitrix24 task of one portal; people are members of that portal. */
export interface TaskTable {
  id: Generated<number>;
  portal_id: number;
  title: string;
  description: string;
  /** Bitrix24's: 2 pending, 3 in progress, 4 supposedly completed, 5 completed, 6 deferred. */
  status: number;
  /** 0 low, 1 normal, 2 high. */
  priority: number;
  created_by: number;
  responsible_id: number;
  deadline: number | null;
  created_at: number;
  changed_by: number;
  changed_at: number;
  closed_by: number | null;
  closed_at: number | null;
}

/** A task's accomplices and auditors (creator and responsible live on the task). */
export interface TaskMemberTable {
  task_id: number;
  member_id: number;
  role: 'accomplice' | 'auditor';
}

/**
 * A portal's OpenID Connect relying-party settings. `client_secret` is stored as given: it is the
 * portal's own credential at the identity provider and must be sent there as it is, so it cannot
 * be hashed (unlike the secrets this server issues, which it only has to recognise).
 */
export interface SsoSettingsTable {
  portal_id: number;
  /** The issuer identifier, e.g. `https://login.example.com`; discovery starts from it. */
  issuer: string;
  client_id: string;
  client_secret: string;
  /** When set, only e-mail addresses of this domain are linked or created. */
  domain: string | null;
  /** 1: a verified e-mail that matches no account becomes a new user and member (just in time). */
  jit: number;
  created_at: number;
  updated_at: number;
}

/** A member's identity at an issuer: the `sub` claim, stable where an e-mail address is not. */
export interface SsoIdentityTable {
  id: Generated<number>;
  portal_id: number;
  issuer: string;
  subject: string;
  member_id: number;
  created_at: number;
  last_login_at: number;
}

/**
 * One SSO sign-in in flight, from the redirect to the identity provider until its answer comes
 * back: keyed by the hash of `state`, used once, alive for minutes. Kept in the database, not in
 * memory: the answer may reach another server instance than the one that sent the browser away,
 * a restart in between does not break sign-ins in flight, and "used once" is one atomic delete.
 */
export interface SsoStateTable {
  state_hash: string;
  portal_id: number;
  /** The issuer the flow started with: settings changed in between make the answer void. */
  issuer: string;
  nonce: string;
  code_verifier: string;
  /** 'web': a browser session on this portal; 'desktop': a code for the desktop's loopback redirect. */
  purpose: 'web' | 'desktop';
  /** Where the browser goes after a web sign-in (a safe path on this site). */
  next: string;
  desktop_client_id: string | null;
  desktop_redirect_uri: string | null;
  desktop_state: string | null;
  desktop_code_challenge: string | null;
  desktop_device_name: string | null;
  created_at: number;
  expires_at: number;
}

/** A conversation of a portal: a group chat (`chat` closed, `open`) or a private dialog of two members. */
export interface ChatTable {
  id: Generated<number>;
  portal_id: number;
  type: 'chat' | 'open' | 'private';
  /** Empty for private dialogs: each side sees the other's name. */
  title: string;
  owner_member_id: number;
  /** Private dialogs only: `<lower member id>:<higher member id>`, one dialog per pair. */
  private_key: string | null;
  created_at: number;
  /** The last activity (creation or newest message): the recent list's order. */
  updated_at: number;
}

export interface ChatMemberTable {
  chat_id: number;
  member_id: number;
  /** Everything up to this message id is read (0: nothing). */
  last_read_message_id: number;
  joined_at: number;
  /**
   * Messages after the read mark, by someone else, not deleted: kept by the store's writes of
   * messages, read marks and members (`store/chats.ts`, `store/messages.ts`), never counted per read.
   */
  unread_count: number;
}

/** Plain text as sent, never interpreted. A deleted message keeps its row, with empty text. */
export interface MessageTable {
  id: Generated<number>;
  chat_id: number;
  author_member_id: number;
  text: string;
  /** The sender's idempotency key, unique per chat and author. */
  client_message_id: string | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
}

/** The last realtime `seq` given to a member; it never goes back, even when old events are pruned. */
export interface RealtimeSequenceTable {
  member_id: number;
  last_seq: number;
}

/** Keys of this server installation (shared by every instance through the database). */
export interface ServerKeyTable {
  name: string;
  value: string;
  created_at: number;
}

/** A signed Pull channel: a user's private one, or a portal's shared one (`member_id` null). */
export interface PullChannelTable {
  /** The channel id's hash: knowing an id is what lets a client listen on it. */
  id_hash: string;
  portal_id: number;
  member_id: number | null;
  /** `application`: an app's own channel (pull.application.config.get), which carries none of the user's events. */
  type: 'private' | 'shared' | 'application';
  /** The 32 hex characters the client sends (unsigned); only the signature makes it usable. */
  channel_id: string;
  public_id: string;
  created_at: number;
  expires_at: number;
}

/** im.v2.Event.subscribe: from which event on a member's events are kept for im.v2.Event.get. */
export interface ImEventSubscriptionTable {
  member_id: number;
  from_seq: number;
  until_seq: number | null;
  acked_seq: number;
  created_at: number;
}

/** One event as one member receives it (a Pull message `{module_id, command, params}`), kept for replay after a reconnect. */
export interface RealtimeEventTable {
  member_id: number;
  seq: number;
  payload: string;
  created_at: number;
}

export interface Database {
  portals: PortalTable;
  users: UserTable;
  recovery_codes: RecoveryCodeTable;
  members: MemberTable;
  oauth_codes: OAuthCodeTable;
  oauth_apps: OAuthAppTable;
  token_families: TokenFamilyTable;
  oauth_tokens: OAuthTokenTable;
  web_sessions: WebSessionTable;
  webhooks: WebhookTable;
  qr_requests: QrRequestTable;
  tasks: TaskTable;
  task_members: TaskMemberTable;
  chats: ChatTable;
  chat_members: ChatMemberTable;
  messages: MessageTable;
  realtime_sequences: RealtimeSequenceTable;
  realtime_events: RealtimeEventTable;
  server_keys: ServerKeyTable;
  pull_channels: PullChannelTable;
  im_event_subscriptions: ImEventSubscriptionTable;
  sso_settings: SsoSettingsTable;
  sso_identities: SsoIdentityTable;
  sso_states: SsoStateTable;
}

export type Portal = Selectable<PortalTable>;
export type SsoSettings = Selectable<SsoSettingsTable>;
export type SsoIdentity = Selectable<SsoIdentityTable>;
export type SsoState = Selectable<SsoStateTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type Member = Selectable<MemberTable>;
export type TokenFamily = Selectable<TokenFamilyTable>;
export type OAuthApp = Selectable<OAuthAppTable>;
export type WebSession = Selectable<WebSessionTable>;
export type Webhook = Selectable<WebhookTable>;
export type QrRequest = Selectable<QrRequestTable>;
export type Task = Selectable<TaskTable>;
export type NewTask = Insertable<TaskTable>;
export type Chat = Selectable<ChatTable>;
export type ChatMember = Selectable<ChatMemberTable>;
export type Message = Selectable<MessageTable>;
export type PullChannelRow = Selectable<PullChannelTable>;
export type ImEventSubscription = Selectable<ImEventSubscriptionTable>;

/** What repository functions run on: the database or a transaction the caller owns. */
export type Executor = Kysely<Database> | Transaction<Database>;
