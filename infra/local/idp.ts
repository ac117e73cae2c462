/**
 * The local OpenID Provider (oidc-provider 8): what Cognito's managed login is in AWS. One public
 * client, the acceptance pages (code + PKCE S256), ID tokens signed ES256 with a key kept in the
 * stack's data directory and carrying the claims Cognito puts in them. Its own sign-in page is a
 * plain HTML form (email + password, no JavaScript) checked against the local accounts file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type OidcContext } from 'oidc-provider';
import { CUSTOMER_DOMAIN_CLAIM } from '../../shared/sign-in/oidc.js';
import { escapeHtml } from '../../shared/pages/escape.js';
import { findAccount, findAccountBySub, passwordMatches } from './accounts.js';
import { closeServer, listen, readBody } from './http.js';
import type { RunningService } from './processes.js';

/** The acceptance pages' client id, locally (Cognito's app client id in AWS). */
export const LOCAL_CLIENT_ID = 'acceptance-pages';
const ALG = 'ES256';

/** The provider's signing key pair, as JWKs with their `kid`. */
export interface IdpKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/** Loads the provider's signing key of a data directory, creating it on first use (like jwt.ts keeps the API's). */
export async function loadOrCreateIdpKey(dataDir: string): Promise<IdpKey> {
  const file = join(dataDir, 'idp-key.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as IdpKey;
  } catch {
    const pair = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    const key: IdpKey = {
      privateJwk: { ...(await exportJWK(pair.privateKey)), kid, alg: ALG, use: 'sig' },
      publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: ALG, use: 'sig' },
    };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(key), { mode: 0o600 });
    return key;
  }
}

export interface IdpOptions {
  readonly port: number;
  readonly dataDir: string;
  /** Where the acceptance pages take the code back (`${publicBaseUrl}/accept/callback`). */
  readonly redirectUris: readonly string[];
  readonly log?: (line: string) => void;
}

export interface RunningIdp extends RunningService {
  /** `http://localhost:<port>`: the issuer, and the origin of its pages. */
  readonly issuer: string;
}

/** Starts the provider on `port` (0: any free port); its issuer is `http://localhost:<port>`. */
export async function startIdp(options: IdpOptions): Promise<RunningIdp> {
  let serve: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => serve(req, res));
  const port = await listen(server, options.port);
  const issuer = `http://localhost:${port}`;
  const provider = newProvider(issuer, (await loadOrCreateIdpKey(options.dataDir)).privateJwk, options);
  const callback = provider.callback();
  const pageHeaders = pageHeadersFor(options.redirectUris);
  serve = (req, res) => {
    const match = /^\/interaction\/([\w-]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (match === null) {
      forgetSession(req);
      callback(req, res);
      return;
    }
    interaction(provider, options.dataDir, pageHeaders, req, res).catch((error: unknown) => {
      options.log?.(`sign-in page failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(400, pageHeaders).end(page('Sign-in failed', '<p>This sign-in is no longer valid. Go back to the request page and sign in again.</p>'));
    });
  };
  return { endpoint: issuer, issuer, stop: () => closeServer(server) };
}

/**
 * Every sign-in is a fresh one (the acceptance pages always ask `prompt=login`), so the provider
 * keeps no single sign-on session: signing in as someone else never meets the previous account's.
 */
function forgetSession(req: IncomingMessage): void {
  const cookie = req.headers.cookie;
  if (cookie === undefined) return;
  req.headers.cookie = cookie
    .split(';')
    .filter((pair) => !pair.trim().startsWith('_session'))
    .join(';');
}

function newProvider(issuer: string, signingKey: JWK, options: IdpOptions): Provider {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: LOCAL_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [...new Set(options.redirectUris)],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        id_token_signed_response_alg: ALG,
      },
    ],
    jwks: { keys: [signingKey] },
    pkce: { methods: ['S256'], required: () => true },
    // Cognito's ID token claims: the scope's claims go into the ID token itself.
    claims: { openid: ['sub', CUSTOMER_DOMAIN_CLAIM, 'cognito:username', 'token_use'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    adapter: memoryStore(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    enabledJWA: { idTokenSigningAlgValues: [ALG], userinfoSigningAlgValues: [ALG] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = await findAccountBySub(options.dataDir, sub);
      if (account === undefined) return undefined;
      return {
        accountId: account.sub,
        claims: async () => ({
          sub: account.sub,
          email: account.email,
          email_verified: true,
          [CUSTOMER_DOMAIN_CLAIM]: account.customerDomain,
          'cognito:username': account.sub,
          token_use: 'id',
        }),
      };
    },
    // The acceptance pages are first-party: consent is granted without asking.
    loadExistingGrant: async (ctx: OidcContext) => {
      const { client, session, result } = ctx.oidc;
      if (client === undefined || session?.accountId === undefined) return undefined;
      const existingId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = existingId === undefined ? undefined : await provider.Grant.find(existingId);
      // After signing in as someone else, the earlier account's grant is not this one's.
      if (existing?.accountId === session.accountId) return existing;
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
  });
  return provider;
}

type Stored = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string; consumed?: number };

/**
 * The storage of one provider (interactions, codes, sessions, grants): in this process's memory,
 * gone on restart, as nothing in it outlives a ten-minute sign-in. oidc-provider's adapter interface.
 */
function memoryStore() {
  const stores = new Map<string, Map<string, { payload: Stored; expiresAt: number }>>();
  return class MemoryStore {
    private readonly items: Map<string, { payload: Stored; expiresAt: number }>;

    constructor(name: string) {
      this.items = stores.get(name) ?? new Map();
      stores.set(name, this.items);
    }

    async upsert(id: string, payload: Stored, expiresIn: number): Promise<void> {
      this.items.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
    }

    async find(id: string): Promise<Stored | undefined> {
      const item = this.items.get(id);
      if (item === undefined || item.expiresAt <= Date.now()) {
        this.items.delete(id);
        return undefined;
      }
      return item.payload;
    }

    async findByUid(uid: string): Promise<Stored | undefined> {
      return [...this.items.values()].find((item) => item.payload.uid === uid && item.expiresAt > Date.now())?.payload;
    }

    async findByUserCode(userCode: string): Promise<Stored | undefined> {
      return [...this.items.values()].find((item) => item.payload.userCode === userCode && item.expiresAt > Date.now())?.payload;
    }

    async consume(id: string): Promise<void> {
      const item = this.items.get(id);
      if (item !== undefined) item.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      this.items.delete(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [id, item] of this.items) if (item.payload.grantId === grantId) this.items.delete(id);
    }
  };
}

/** The sign-in page's headers: no script; its form posts to itself, and the redirects that follow go to the acceptance pages. */
function pageHeadersFor(redirectUris: readonly string[]): Record<string, string> {
  const origins = [...new Set(redirectUris.map((uri) => new URL(uri).origin))].join(' ');
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;line-height:1.5}label{display:block;margin:.8rem 0}input{display:block;width:100%;font:inherit;padding:.4rem}button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem}.error{color:#a00}</style></head>
<body><main>${body}</main></body></html>`;
}

function signInForm(uid: string, email: string, error?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>Local customer admin accounts (create one with <code>npm run -s user -- add customer &lt;email&gt;</code>).</p>
${error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label>Email <input type="email" name="email" value="${escapeHtml(email)}" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

/**
 * The login interaction: GET shows the form (the email prefilled from `login_hint`); POST checks
 * the password and finishes the interaction, or shows the form again with a message.
 */
async function interaction(provider: Provider, dataDir: string, headers: Record<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
  if (req.method === 'GET') {
    res.writeHead(200, headers).end(signInForm(details.uid, hint));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'GET, POST' }).end();
    return;
  }
  const form = new URLSearchParams(await readBody(req, 16 * 1024, () => new Error('the form is too large')));
  const email = form.get('email') ?? '';
  const account = await findAccount(dataDir, email);
  if (account === undefined || !(await passwordMatches(account, form.get('password') ?? ''))) {
    res.writeHead(200, headers).end(signInForm(details.uid, email, 'The email or the password is wrong.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
}
