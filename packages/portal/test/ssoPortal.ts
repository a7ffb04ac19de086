import { DEMO_ACCOUNTS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type RunningIdp, startIdp } from '@multidesk/idp';
import { setSsoChecked } from '../src/admin/sso.ts';
import { startTestPortal, type TestPortal } from './harness.ts';

/** The demo identity provider's password for every one of its users. */
export const IDP_PASSWORD = 'multidesk-demo';

/**
 * A test portal whose initech signs in through its own demo identity provider (domain
 * example.com). The provider also knows eve: a verified address, but a member of no portal.
 */
export async function startSsoPortal(): Promise<{ portal: TestPortal; idp: RunningIdp }> {
  const portal = await startTestPortal();
  const eve = {
    sub: 'idp-eve',
    email: 'eve@example.com',
    emailVerified: true,
    givenName: 'Eve',
    familyName: 'Stone',
    password: IDP_PASSWORD,
  };
  const idp = await startIdp({ port: 0, accounts: [...DEMO_ACCOUNTS, eve] });
  await setSsoChecked(
    portal.db,
    { portal: 'initech', issuer: idp.issuer, clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, domain: 'example.com' },
    portal.clock.now(),
  );
  return { portal, idp };
}
