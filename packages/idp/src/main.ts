#!/usr/bin/env node
import { parseArgs } from 'node:util';
import {
  DEMO_ACCOUNTS,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_IDP_PASSWORD,
  DEMO_IDP_PORT,
  REDIRECT_URI_PATTERN,
  startIdp,
} from './idp.ts';

const USAGE = `Usage: npm run idp -- [--port ${DEMO_IDP_PORT}]

Starts the demo OpenID Connect identity provider at http://localhost:PORT (loopback only).`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? DEMO_IDP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port must be 0 to 65535, not "${values.port}"`);
    process.exit(2);
  }
  const idp = await startIdp({ port });
  console.log(`demo identity provider at ${idp.issuer}`);
  console.log(`client ${DEMO_CLIENT_ID} secret ${DEMO_CLIENT_SECRET}, redirect URIs ${REDIRECT_URI_PATTERN}`);
  for (const account of DEMO_ACCOUNTS)
    console.log(`${account.email} password=${DEMO_IDP_PASSWORD} (${account.givenName} ${account.familyName})`);
  console.log(
    `set a portal up with: npm run portal -- sso set --portal initech --issuer ${idp.issuer} --client-id ${DEMO_CLIENT_ID} --client-secret ${DEMO_CLIENT_SECRET} --domain example.com`,
  );
  const stop = () => {
    idp.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
