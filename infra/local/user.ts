/**
 * `npm run -s user -- add customer <email>`: creates or resets a local customer admin of the
 * OpenID Provider of LOCAL_DATA_DIR (its domain is the email's) and prints only its password.
 * Works whether the stack runs or not: the provider reads the same accounts file.
 */
import { ZodError } from 'zod';
import { addCustomerAdmin } from './accounts.js';
import { readSettings } from './settings.js';

const [verb, kind, email] = process.argv.slice(2);
if (verb !== 'add' || kind !== 'customer' || email === undefined || email === '') {
  console.error('usage: npm run -s user -- add customer <email>');
  process.exit(2);
}
try {
  console.log(await addCustomerAdmin(readSettings().dataDir, email));
} catch (error) {
  console.error(error instanceof ZodError ? `error: "${email}" is not an email address` : error);
  process.exit(1);
}
