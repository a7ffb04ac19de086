/** Ten sign-ins of the demo data (portal, login): anna in three portals, ben and marcus in two, three others in one. */
export const DEMO_SIGN_INS: readonly [string, string][] = [
  ['acme', 'anna@example.com'],
  ['globex', 'anna@example.com'],
  ['initech', 'anna@example.com'],
  ['acme', 'ben@example.com'],
  ['globex', 'ben@example.com'],
  ['acme', 'marcus@example.com'],
  ['globex', 'marcus@example.com'],
  ['acme', 'olivia@example.com'],
  ['globex', 'sofia@example.com'],
  ['initech', 'priya@example.com'],
];
