import { hashPassword } from '../auth/password.ts';
import { randomToken } from '../auth/secrets.ts';
import { generateTotpSecret } from '../auth/totp.ts';
import type { Db } from '../store/database.ts';
import { addMember, findMembership } from '../store/members.ts';
import { createPortal, findPortalByName } from '../store/portals.ts';
import { createUser, findUserByEmail, setTotp } from '../store/users.ts';
import { seedDemoChats } from './demoChats.ts';
import { seedDemoTasks } from './demoTasks.ts';

export const DEMO_PASSWORD = 'multidesk-demo';

const PORTALS = [
  { name: 'acme', title: 'Acme Corp' },
  { name: 'globex', title: 'Globex' },
  { name: 'initech', title: 'Initech' },
] as const;

type PortalName = (typeof PORTALS)[number]['name'];

interface DemoPerson {
  email: string;
  name: string;
  lastName: string;
  position: string;
  portals: Partial<Record<PortalName, 'admin' | 'user'>>;
  totp?: boolean;
  /** Signs in only through the demo identity provider: the portal keeps a password nobody knows. */
  ssoOnly?: boolean;
}

const PEOPLE: DemoPerson[] = [
  {
    email: 'anna@example.com',
    name: 'Anna',
    lastName: 'Smirnova',
    position: 'Project manager',
    portals: { acme: 'admin', globex: 'user', initech: 'user' },
  },
  { email: 'ben@example.com', name: 'Ben', lastName: 'Carter', position: 'Developer', portals: { acme: 'user', globex: 'admin' } },
  { email: 'chen@example.com', name: 'Chen', lastName: 'Wei', position: 'Accountant', portals: { initech: 'admin' }, totp: true },
  { email: 'olivia@example.com', name: 'Olivia', lastName: 'Brown', position: 'Designer', portals: { acme: 'user' } },
  { email: 'marcus@example.com', name: 'Marcus', lastName: 'Lee', position: 'Sales', portals: { acme: 'user', globex: 'user' } },
  { email: 'sofia@example.com', name: 'Sofia', lastName: 'Rossi', position: 'Support', portals: { globex: 'user' } },
  { email: 'priya@example.com', name: 'Priya', lastName: 'Nair', position: 'Analyst', portals: { initech: 'user' } },
  { email: 'dora@example.com', name: 'Dora', lastName: 'Klein', position: 'Consultant', portals: { initech: 'user' }, ssoOnly: true },
];

export interface DemoUser {
  email: string;
  /** For an SSO-only user: the password at the demo identity provider, not at the portal. */
  password: string;
  ssoOnly: boolean;
  totpSecret: string | null;
  portals: string[];
}

export interface DemoSeedResult {
  portals: { name: string; title: string }[];
  users: DemoUser[];
}

/**
 * Creates what is missing of the demo data and leaves what exists alone, so running it twice
 * changes nothing (a TOTP secret once made stays the same).
 */
export async function seedDemo(db: Db, now: number): Promise<DemoSeedResult> {
  const portalIds = new Map<string, number>();
  for (const { name, title } of PORTALS) {
    const portal = (await findPortalByName(db, name)) ?? (await createPortal(db, name, title, now));
    portalIds.set(name, portal.id);
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users: DemoUser[] = [];
  for (const person of PEOPLE) {
    let user = await findUserByEmail(db, person.email);
    if (!user) {
      user = await createUser(db, {
        email: person.email,
        password_hash: person.ssoOnly ? await hashPassword(randomToken()) : passwordHash,
        name: person.name,
        last_name: person.lastName,
        totp_secret: null,
        totp_last_step: null,
        created_at: now,
      });
    }
    if (person.totp && !user.totp_secret) {
      const secret = generateTotpSecret();
      await setTotp(db, user.id, secret, []);
      user = { ...user, totp_secret: secret };
    }
    for (const [portalName, role] of Object.entries(person.portals)) {
      const portalId = portalIds.get(portalName) as number;
      if (!(await findMembership(db, portalId, user.id))) {
        const member = await addMember(db, portalId, user.id, role, now);
        await db.updateTable('members').set({ work_position: person.position }).where('id', '=', member.id).execute();
      }
    }
    users.push({
      email: user.email,
      password: DEMO_PASSWORD,
      ssoOnly: person.ssoOnly === true,
      totpSecret: user.totp_secret,
      portals: Object.keys(person.portals),
    });
  }
  await seedDemoTasks(db, portalIds, now);
  await seedDemoChats(db, portalIds, now);
  return { portals: PORTALS.map((p) => ({ ...p })), users };
}
