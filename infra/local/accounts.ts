/**
 * The local customer admin accounts of the local OpenID Provider: one JSON file in the stack's
 * data directory (email → subject, customer domain, scrypt hash), so `npm run user` and a
 * running provider share them, as Cognito's user pool is shared by the console and managed login.
 */
import { randomBytes, randomUUID, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { email as emailSchema } from '../../shared/invitations/schema.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, length: number) => Promise<Buffer>;
const KEY_LENGTH = 32;

/** One local customer admin, as the provider keeps it. */
export interface LocalAccount {
  readonly email: string;
  /** Stable across password resets, like a Cognito user's `sub`. */
  readonly sub: string;
  /** The email's domain: what the ID token's `custom:customer_domain` says. */
  readonly customerDomain: string;
  /** `scrypt$<salt>$<hash>`, both base64url. */
  readonly passwordHash: string;
}

type AccountFile = Record<string, LocalAccount>;

export const accountsFile = (dataDir: string) => join(dataDir, 'idp-accounts.json');

async function readAccounts(dataDir: string): Promise<AccountFile> {
  try {
    return JSON.parse(await readFile(accountsFile(dataDir), 'utf8')) as AccountFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/** The account of an address (any case), or undefined. */
export async function findAccount(dataDir: string, email: string): Promise<LocalAccount | undefined> {
  return (await readAccounts(dataDir))[email.trim().toLowerCase()];
}

/** The account whose `sub` this is, or undefined. */
export async function findAccountBySub(dataDir: string, sub: string): Promise<LocalAccount | undefined> {
  return Object.values(await readAccounts(dataDir)).find((account) => account.sub === sub);
}

/** A random password of 24 characters (base64url, 144 bits). */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${(await scrypt(password, salt, KEY_LENGTH)).toString('base64url')}`;
}

/** True when `password` is the account's. */
export async function passwordMatches(account: LocalAccount, password: string): Promise<boolean> {
  const [, salt = '', hash = ''] = account.passwordHash.split('$');
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), KEY_LENGTH);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Creates a customer admin (domain = the email's), or resets its password, keeping its `sub`.
 * Answers the password: the one given, or a new random one.
 */
export async function addCustomerAdmin(dataDir: string, email: string, password: string = newPassword()): Promise<string> {
  const address = emailSchema.parse(email.trim()).toLowerCase();
  const accounts = await readAccounts(dataDir);
  accounts[address] = {
    email: address,
    sub: accounts[address]?.sub ?? randomUUID(),
    customerDomain: address.slice(address.lastIndexOf('@') + 1),
    passwordHash: await hashPassword(password),
  };
  await mkdir(dataDir, { recursive: true });
  // Written whole, then renamed: a provider reading at the same moment never sees half a file.
  const temporary = `${accountsFile(dataDir)}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(accounts, null, 2), { mode: 0o600 });
  await rename(temporary, accountsFile(dataDir));
  return password;
}

/** Creates the account with a random password unless it exists; answers the password when it created it. */
export async function ensureCustomerAdmin(dataDir: string, email: string): Promise<string | undefined> {
  if ((await findAccount(dataDir, email)) !== undefined) return undefined;
  return addCustomerAdmin(dataDir, email);
}
