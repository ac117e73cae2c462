/**
 * The sign-in session of the acceptance pages: one short-lived item per sign-in, bound to one
 * invitation and to the hash of the link's secret that started it (never the secret). Keyed by
 * the hash of the cookie's value, so the table never holds what the browser presents.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { epochSeconds, hashSecret } from '../clock.js';
import { db, tableName } from '../data/client.js';
import { signInSessionKey } from '../data/keys.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import type { TransactionItem } from '../data/transactions.js';

/** How long a sign-in session lasts, from the click on "Sign in…" (the cookie's Max-Age too). */
export const SESSION_SECONDS = 600;

/** The customer admin the identity provider vouched for (a verified ID token's claims). */
export interface SignedInAdmin {
  readonly email: string;
  readonly sub: string;
  readonly customerDomain: string;
}

export interface SignInSession {
  readonly invitationId: string;
  /** The hash of the link's secret the session was started with: a resend or a close makes the session useless. */
  readonly tokenHash: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** When the callback used the state (once). */
  readonly stateUsedAt?: string;
  /** Set by the callback once the ID token is verified. */
  readonly admin?: SignedInAdmin;
}

const keyOf = (cookieValue: string) => signInSessionKey(hashSecret(cookieValue));

/** Stores a new session under the cookie's value. */
export async function putSession(cookieValue: string, session: SignInSession): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keyOf(cookieValue), type: 'SIGN_IN_SESSION', ...session, [TTL_ATTRIBUTE]: epochSeconds(new Date(session.expiresAt)) },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
}

/** The session a cookie names, or undefined (time is checked by the caller). */
export async function findSession(cookieValue: string): Promise<SignInSession | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: keyOf(cookieValue), ConsistentRead: true }));
  return Item as SignInSession | undefined;
}

/**
 * Uses the session's state, once: succeeds only for the session's own state, never used, before
 * the session expires. Answers the session, or why not (`current` is the item as stored, if any).
 */
export async function useState(
  cookieValue: string,
  state: string,
  at: Date,
): Promise<{ session: SignInSession } | { refused: 'NO_SESSION' | 'STATE_MISMATCH' | 'STATE_USED' | 'EXPIRED' }> {
  try {
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keyOf(cookieValue),
        UpdateExpression: 'SET stateUsedAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND #state = :state AND attribute_not_exists(stateUsedAt) AND expiresAt > :at',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state, ':at': at.toISOString() },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { session: Attributes as SignInSession };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = error.Item === undefined ? undefined : (unmarshall(error.Item) as SignInSession);
    if (current === undefined) return { refused: 'NO_SESSION' };
    if (current.stateUsedAt !== undefined) return { refused: 'STATE_USED' };
    if (current.expiresAt <= at.toISOString()) return { refused: 'EXPIRED' };
    return { refused: 'STATE_MISMATCH' };
  }
}

/** Records the verified admin on the session whose state this callback used; false when it is gone or already signed in. */
export async function recordAdmin(cookieValue: string, stateUsedAt: string, admin: SignedInAdmin): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keyOf(cookieValue),
        UpdateExpression: 'SET admin = :admin',
        ConditionExpression: 'stateUsedAt = :used AND attribute_not_exists(admin)',
        ExpressionAttributeValues: { ':admin': admin, ':used': stateUsedAt },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The accept transaction's item for a signed-in grant: the session is spent with the grant, and
 * only while it is still this invitation's, signed in as this admin and unexpired.
 */
export function spendSession(cookieValue: string, invitationId: string, admin: SignedInAdmin, at: Date): TransactionItem<'SESSION'> {
  return {
    refusal: 'SESSION',
    item: {
      Delete: {
        TableName: tableName(),
        Key: keyOf(cookieValue),
        ConditionExpression: 'invitationId = :invitation AND admin.#sub = :sub AND expiresAt > :at',
        ExpressionAttributeNames: { '#sub': 'sub' },
        ExpressionAttributeValues: { ':invitation': invitationId, ':sub': admin.sub, ':at': at.toISOString() },
      },
    },
  };
}

/** A signed-in session of this invitation: the verified admin, and the hash of the link that started it. */
export interface SignedInSession {
  readonly cookieValue: string;
  readonly admin: SignedInAdmin;
  readonly tokenHash: string;
}

/** The cookie's session when it is this invitation's, unexpired and (by default) signed in; otherwise undefined. */
export async function signedInSession(cookieValue: string | undefined, invitationId: string, at: Date): Promise<SignedInSession | undefined> {
  if (cookieValue === undefined) return undefined;
  const session = await liveSession(cookieValue, invitationId, at, true);
  return session?.admin === undefined ? undefined : { cookieValue, admin: session.admin, tokenHash: session.tokenHash };
}

/** The cookie's session when it is this invitation's and unexpired (and, with `signedIn`, signed in); otherwise undefined. */
export async function liveSession(cookieValue: string, invitationId: string, at: Date, signedIn: boolean) {
  const session = await findSession(cookieValue);
  if (session === undefined || session.invitationId !== invitationId || session.expiresAt <= at.toISOString()) return undefined;
  if (signedIn && session.admin === undefined) return undefined;
  return session;
}
