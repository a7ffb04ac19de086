/** What Multidesk shows and the Bitrix24 scope each needs (any of the alternatives will do). */
const NEEDED_SCOPES: readonly { scope: string; alternatives?: readonly string[] }[] = [
  { scope: 'im' },
  { scope: 'task' },
  { scope: 'user_basic', alternatives: ['user', 'user_brief'] },
];

/** The scopes among those Multidesk uses that a credential's granted list lacks. */
export function missingScopesOf(granted: readonly string[]): string[] {
  return NEEDED_SCOPES.filter(({ scope, alternatives = [] }) => ![scope, ...alternatives].some((s) => granted.includes(s))).map(
    ({ scope }) => scope,
  );
}
