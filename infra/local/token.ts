/** `npm run -s token -- partner <id>` / `customer <domain>`: prints a token for the local stack of LOCAL_DATA_DIR, and nothing else. */
import { loadOrCreateKeys, signToken, type Subject } from './jwt.js';
import { readSettings } from './settings.js';

const [kind, id] = process.argv.slice(2);
if ((kind !== 'partner' && kind !== 'customer') || id === undefined || id === '') {
  console.error('usage: npm run -s token -- partner <partnerId> | customer <domain>');
  process.exit(2);
}
const subject: Subject = kind === 'partner' ? { kind, partnerId: id } : { kind, customerDomain: id.toLowerCase() };
const keys = await loadOrCreateKeys(readSettings().dataDir);
console.log(await signToken(keys, subject));
