/** Bitrix24's chat and user colours (RED, GREEN, MINT, … GRAPHITE), picked by id. */
const PALETTE = [
  '#df532d',
  '#64a513',
  '#4ba984',
  '#4ba5c3',
  '#3e99ce',
  '#8474c8',
  '#1eb4aa',
  '#f76187',
  '#58cc47',
  '#ab7761',
  '#29619b',
  '#728f7a',
  '#ba9c7b',
  '#556574',
  '#909090',
  '#5e5f5e',
];

export function colorOf(id: number): string {
  return PALETTE[id % PALETTE.length] as string;
}
