/**
 * `npm run -s token -- partner <id>` / `customer <domain>` [`--access`]: prints a token for the local stack of
 * LOCAL_DATA_DIR, and nothing else; a Cognito-shaped ID token, or with `--access` one with plain claims.
 */
import { loadOrCreateKeys, signToken, type Subject } from './jwt.js';
import { readSettings } from './settings.js';

const args = process.argv.slice(2);
const access = args.includes('--access');
const [kind, id] = args.filter((arg) => arg !== '--access');
if ((kind !== 'partner' && kind !== 'customer') || id === undefined || id === '') {
  console.error('usage: npm run -s token -- partner <partnerId> | customer <domain> [--access]');
  process.exit(2);
}
const subject: Subject = kind === 'partner' ? { kind, partnerId: id } : { kind, customerDomain: id.toLowerCase() };
const keys = await loadOrCreateKeys(readSettings().dataDir);
console.log(await signToken(keys, subject, { shape: access ? 'access' : 'id' }));
