/** `npm start`: runs the whole product locally and stops every part on Ctrl-C or SIGTERM. */
import './quiet.js';
import { LocalStackError } from './processes.js';
import { readSettings } from './settings.js';
import { relative, resolve } from 'node:path';
import { SEED_CUSTOMER_ADMIN, startLocalStack, type LocalStack } from './stack.js';

const settings = readSettings();
const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);

// Signals are handled from the first moment: one that arrives while the stack is still starting
// stops it as soon as it is up, instead of killing this process and orphaning DynamoDB Local.
let stack: LocalStack | undefined;
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  if (stack === undefined) return;
  stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

try {
  stack = await startLocalStack(settings, { log });
  if (stopping) {
    await stack.stop();
    process.exit(0);
  }
  // The token and cleanup commands find the stack through its data directory: hints carry a non-default one.
  const shown = relative(process.cwd(), settings.dataDir).startsWith('..') ? settings.dataDir : relative(process.cwd(), settings.dataDir) || '.';
  const quoted = /^[\w./-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
  const withDataDir = settings.dataDir === resolve('.local') ? '' : `LOCAL_DATA_DIR=${quoted} `;
  const adminPassword =
    stack.seedAdminPassword === undefined
      ? `password from its first start (a new one: ${withDataDir}npm run -s user -- add customer ${SEED_CUSTOMER_ADMIN})`
      : `password ${stack.seedAdminPassword}   (a new one: ${withDataDir}npm run -s user -- add customer ${SEED_CUSTOMER_ADMIN})`;
  const eventsLine = stack.eventsUrl === undefined ? '' : `\n  Events           ${stack.eventsUrl}   (what would be published to EventBridge)`;
  console.log(`
Partner Relationships is running locally.

  API              ${stack.apiUrl}   (GET /health, GET /openapi.json)
  Mail viewer      ${stack.sesUrl.replace('127.0.0.1', 'localhost')}   (every email sent; GET /store as JSON)
  Sign-in          ${stack.idpUrl}   (the OpenID Provider of the acceptance pages)
  DynamoDB Local   ${stack.dynamodbEndpoint}${eventsLine}
  Links in emails  ${settings.publicBaseUrl}/accept/...
  Data             ${settings.dataDir}
  Cleanup          ${settings.cleanupIntervalSeconds > 0 ? `every ${settings.cleanupIntervalSeconds} s` : 'off'} (or: ${withDataDir}npm run cleanup)

  Seed partners: fabrikam (fabrikam.com), adatum (adatum.com), wingtip (wingtiptoys.com)
  Get a token:   ${withDataDir}npm run -s token -- partner fabrikam
  Customer admin: ${SEED_CUSTOMER_ADMIN}, ${adminPassword}

Ctrl-C stops everything.
`);
} catch (error) {
  console.error(error instanceof LocalStackError ? `error: ${error.message}` : error);
  process.exit(1);
}
