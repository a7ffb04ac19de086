#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createAppChecked, listAppsChecked, removeAppChecked } from './admin/apps.ts';
import {
  AdminInputError,
  addMemberChecked,
  createPortalChecked,
  createUserChecked,
  createWebhookChecked,
  parseScopes,
  requireUser,
} from './admin/directory.ts';
import { describeSso, isLoopbackIssuer, removeSsoChecked, setSsoChecked } from './admin/sso.ts';
import { generateRecoveryCodes } from './auth/recoveryCodes.ts';
import { hashSecret } from './auth/secrets.ts';
import { generateTotpSecret, otpauthUri } from './auth/totp.ts';
import { TrustedAddressError, trustedAddresses } from './http/connectionCap.ts';
import { parseRestLimit } from './http/context.ts';
import { seedDemo } from './seed/demo.ts';
import { serve } from './server.ts';
import { RedisOpenError } from './shared/redisSharedState.ts';
import { DatabaseOpenError, type Db, isPostgresUrl, openDatabase } from './store/database.ts';
import { setTotp } from './store/users.ts';

const USAGE = `Usage: npm run portal -- <command> [options]

Commands:
  serve [--port 8024] [--host 127.0.0.1] [--base-domain localhost] [--log-level info]
        [--rest-limit 50:2|off]                  REST leaky bucket per user: burst and drain per second (Bitrix24 cloud)
        [--redis redis://host:6379]              what instances share (realtime, REST budgets, throttles); or $MULTIDESK_REDIS
        [--trust-proxy 10.0.0.2,10.0.0.3]        load balancers (addresses, CIDR ranges) whose X-Forwarded-For/-Proto are believed
  portal create --name acme --title "Acme Corp"
  user create --email anna@example.com --password SECRET [--name Anna] [--last-name Smirnova]
  user totp enable --email anna@example.com      prints the TOTP secret and 10 recovery codes
  user totp disable --email anna@example.com
  member add --portal acme --email anna@example.com [--role admin|user]
  webhook create --portal acme --email anna@example.com --scope user,im,task
  app create --portal acme --name "My app" --redirect-uri URL [--scope user,im,task,pull]
                                                 a Bitrix24 app (OAuth client): prints client_id= and client_secret=
  app list --portal acme
  app remove --portal acme --client-id ID        its sign-ins end at once
  sso set --portal initech --issuer URL --client-id ID --client-secret SECRET [--domain example.com] [--jit]
                                                 single sign-on through an OpenID Connect provider; --domain:
                                                 only its addresses are linked; --jit: they become members
  sso show --portal initech                      the settings (never the secret)
  sso remove --portal initech
  seed-demo                                      creates the demo portals and users (idempotent)

Every command takes the database: --data DIR for the embedded SQLite file (default .data, or
$MULTIDESK_DATA), or --database postgres://user:pass@host:5432/db for PostgreSQL (or
$MULTIDESK_DATABASE; every instance of one site names the same). Where it prints addresses, it takes
--public-url (default http://localhost:8024: the network's address).`;

const OPTIONS = {
  data: { type: 'string' },
  database: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'base-domain': { type: 'string' },
  'log-level': { type: 'string' },
  'public-url': { type: 'string' },
  name: { type: 'string' },
  title: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  'last-name': { type: 'string' },
  portal: { type: 'string' },
  role: { type: 'string' },
  scope: { type: 'string' },
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  domain: { type: 'string' },
  'redirect-uri': { type: 'string' },
  'rest-limit': { type: 'string' },
  redis: { type: 'string' },
  'trust-proxy': { type: 'string' },
  jit: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new AdminInputError(`--${name} is required`);
  return value;
}

/** `http://localhost:8024` + `acme` → `http://acme.localhost:8024`. */
function portalAddress(values: Values, name: string): string {
  const base = new URL(values['public-url'] ?? 'http://localhost:8024');
  return `${base.protocol}//${name}.${base.host}`;
}

/** A PostgreSQL URL (--database, $MULTIDESK_DATABASE) or the SQLite folder (--data, $MULTIDESK_DATA): options before the environment. */
function databaseLocation(values: Values): string {
  if (values.database !== undefined && values.data !== undefined) throw new AdminInputError('give --database or --data, not both');
  // An empty variable is an unset one.
  const env = (name: string) => process.env[name] || undefined;
  const location = values.database ?? values.data ?? env('MULTIDESK_DATABASE') ?? env('MULTIDESK_DATA') ?? '.data';
  const fromDatabase = values.database ?? (values.data === undefined ? env('MULTIDESK_DATABASE') : undefined);
  if (fromDatabase !== undefined && !isPostgresUrl(fromDatabase)) {
    const source = values.database === undefined ? '$MULTIDESK_DATABASE' : '--database';
    throw new AdminInputError(`${source} takes a postgres://user:pass@host:port/db URL; the embedded SQLite database lives in --data DIR`);
  }
  return location;
}

async function withDb<T>(values: Values, run: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseLocation(values));
  try {
    return await run(db);
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const now = Date.now();
  switch (command) {
    case 'serve': {
      const port = Number(values.port ?? 8024);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AdminInputError(`--port must be 0 to 65535, not "${values.port}"`);
      const restLimit = parseRestLimit(values['rest-limit'] ?? '50:2');
      if (!restLimit) throw new AdminInputError(`--rest-limit must be BURST:DRAIN (e.g. 50:2) or off, not "${values['rest-limit']}"`);
      const redis = values.redis ?? (process.env.MULTIDESK_REDIS || undefined);
      const trustProxy = values['trust-proxy']
        ?.split(',')
        .map((address) => address.trim())
        .filter(Boolean);
      try {
        trustedAddresses(trustProxy ?? []);
      } catch (error) {
        if (error instanceof TrustedAddressError) throw new AdminInputError(`--trust-proxy: ${error.message}`);
        throw error;
      }
      await serve({
        database: databaseLocation(values),
        host: values.host ?? '127.0.0.1',
        port,
        baseDomain: values['base-domain'] ?? 'localhost',
        logLevel: values['log-level'] ?? 'info',
        limits: restLimit,
        ...(redis === undefined ? {} : { redis }),
        ...(trustProxy?.length ? { trustProxy } : {}),
      });
      return;
    }
    case 'portal create':
      await withDb(values, async (db) => {
        const portal = await createPortalChecked(db, required(values, 'name'), required(values, 'title'), now);
        console.log(`created portal ${portal.name} (${portal.title}) at ${portalAddress(values, portal.name)}`);
      });
      return;
    case 'user create':
      await withDb(values, async (db) => {
        const user = await createUserChecked(
          db,
          { email: required(values, 'email'), password: required(values, 'password'), name: values.name, lastName: values['last-name'] },
          now,
        );
        console.log(`created user ${user.email}`);
      });
      return;
    case 'user totp enable':
      await withDb(values, async (db) => {
        const user = await requireUser(db, required(values, 'email'));
        const secret = generateTotpSecret();
        const codes = generateRecoveryCodes();
        await setTotp(db, user.id, secret, codes.map(hashSecret));
        console.log(`totp_secret=${secret}\n${otpauthUri(secret, user.email)}\nrecovery codes (each works once):\n${codes.join('\n')}`);
      });
      return;
    case 'user totp disable':
      await withDb(values, async (db) => {
        const user = await requireUser(db, required(values, 'email'));
        await setTotp(db, user.id, null, []);
        console.log(`two-factor sign-in is off for ${user.email}`);
      });
      return;
    case 'member add':
      await withDb(values, async (db) => {
        const member = await addMemberChecked(db, required(values, 'portal'), required(values, 'email'), values.role ?? 'user', now);
        console.log(`${required(values, 'email')} is a member of ${required(values, 'portal')} as ${member.role} (user id ${member.id})`);
      });
      return;
    case 'webhook create':
      await withDb(values, async (db) => {
        const scopes = parseScopes(required(values, 'scope'));
        const hook = await createWebhookChecked(db, required(values, 'portal'), required(values, 'email'), scopes, now);
        console.log(`webhook for ${required(values, 'email')} on ${hook.portal.name}, scopes ${scopes.join(',')}; keep this URL secret:`);
        console.log(`${portalAddress(values, hook.portal.name)}/rest/${hook.memberId}/${hook.secret}/`);
      });
      return;
    case 'app create':
      await withDb(values, async (db) => {
        const created = await createAppChecked(
          db,
          {
            portal: required(values, 'portal'),
            title: required(values, 'name'),
            redirectUri: required(values, 'redirect-uri'),
            ...(values.scope === undefined ? {} : { scopes: parseScopes(values.scope) }),
          },
          now,
        );
        console.log(
          `app "${created.app.title}" on ${created.portal.name}, scopes ${created.app.scopes}, handler ${created.app.redirect_uri}`,
        );
        console.log(`client_id=${created.app.client_id}`);
        console.log(`client_secret=${created.clientSecret}`);
        console.error('keep the secret safe: it is shown only now');
      });
      return;
    case 'app list':
      await withDb(values, async (db) => {
        const apps = await listAppsChecked(db, required(values, 'portal'));
        if (apps.length === 0) console.log(`no apps on ${required(values, 'portal')}`);
        for (const app of apps) console.log(`${app.client_id}  "${app.title}"  scopes=${app.scopes}  handler=${app.redirect_uri}`);
      });
      return;
    case 'app remove':
      await withDb(values, async (db) => {
        await removeAppChecked(db, required(values, 'portal'), required(values, 'client-id'), now);
        console.log(`removed app ${required(values, 'client-id')}; its sign-ins are revoked`);
      });
      return;
    case 'sso set':
      await withDb(values, async (db) => {
        const settings = await setSsoChecked(
          db,
          {
            portal: required(values, 'portal'),
            issuer: required(values, 'issuer'),
            clientId: required(values, 'client-id'),
            clientSecret: required(values, 'client-secret'),
            domain: values.domain,
            jit: values.jit,
          },
          now,
        );
        const portal = required(values, 'portal').toLowerCase();
        console.log(
          `single sign-on for ${portal} through ${settings.issuer}; register ${portalAddress(values, portal)}/sso/callback there`,
        );
        if (!isLoopbackIssuer(settings.issuer) && settings.issuer.startsWith('http:')) {
          console.error('warning: the issuer is plain http; use https for any identity provider beyond this machine');
        }
      });
      return;
    case 'sso show':
      await withDb(values, async (db) => {
        console.log(await describeSso(db, required(values, 'portal'), (name) => portalAddress(values, name)));
      });
      return;
    case 'sso remove':
      await withDb(values, async (db) => {
        const portal = required(values, 'portal');
        const removed = await removeSsoChecked(db, portal);
        console.log(removed ? `single sign-on is off for ${portal}` : `single sign-on was not set up for ${portal}`);
      });
      return;
    case 'seed-demo':
      await withDb(values, async (db) => {
        const result = await seedDemo(db, now);
        for (const portal of result.portals) console.log(`portal ${portal.name} "${portal.title}" ${portalAddress(values, portal.name)}`);
        for (const user of result.users) {
          const signIn = user.ssoOnly ? `sso_only idp_password=${user.password}` : `password=${user.password}`;
          console.log(
            `${user.email} ${signIn}${user.totpSecret ? ` totp_secret=${user.totpSecret}` : ''} portals=${user.portals.join(',')}`,
          );
        }
      });
      return;
    default:
      throw new AdminInputError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof DatabaseOpenError || err instanceof RedisOpenError) {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  if (err instanceof AdminInputError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
