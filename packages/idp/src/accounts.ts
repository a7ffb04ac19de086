/** A person who can sign in at the demo identity provider. */
export interface IdpAccount {
  /** The stable subject (`sub`) the provider asserts; never the e-mail, which may change. */
  sub: string;
  /** What is typed into Login; the e-mail when not set. */
  login?: string;
  email: string;
  emailVerified: boolean;
  givenName: string;
  familyName: string;
  password: string;
}

export const DEMO_IDP_PASSWORD = 'multidesk-demo';

/** The demo's people at the identity provider: anna is a member of initech already, dora only through SSO. */
export const DEMO_ACCOUNTS: readonly IdpAccount[] = [
  {
    sub: 'idp-anna-0001',
    email: 'anna@example.com',
    emailVerified: true,
    givenName: 'Anna',
    familyName: 'Smirnova',
    password: DEMO_IDP_PASSWORD,
  },
  {
    sub: 'idp-dora-0002',
    email: 'dora@example.com',
    emailVerified: true,
    givenName: 'Dora',
    familyName: 'Klein',
    password: DEMO_IDP_PASSWORD,
  },
];

/** The OpenID Connect claims of an account, by scope: `sub` always; e-mail and names when asked for. */
export function accountClaims(account: IdpAccount): Record<string, unknown> {
  return {
    sub: account.sub,
    email: account.email,
    email_verified: account.emailVerified,
    name: `${account.givenName} ${account.familyName}`,
    given_name: account.givenName,
    family_name: account.familyName,
  };
}
