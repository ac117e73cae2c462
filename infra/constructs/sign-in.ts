import { Duration, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { CfnManagedLoginBranding, ClientAttributes, ManagedLoginVersion, OAuthScope, UserPoolClientIdentityProvider } from 'aws-cdk-lib/aws-cognito';
import type { UserPool, UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { SignInSettings } from '../config.js';
import { TENANT_CLAIMS } from '../../shared/identity/caller.js';

/** Where the identity provider sends the customer admin back to, under the public base URL (`finish-sign-in`). */
import { SIGN_IN_CALLBACK_PATH } from '../../shared/sign-in/paths.js';

/** Where the identity provider sends the customer admin after signing out, under the public base URL. */
export const SIGN_OUT_PATH = '/';

/**
 * How long the acceptance pages' tokens live: the ID token is checked once, at the callback, and then the
 * session (10 minutes, in our table) carries the admin; Cognito's shortest settings (5 minutes, and 60 for the
 * refresh token, which the pages never use).
 */
export const ACCEPTANCE_TOKEN_VALIDITY = { id: Duration.minutes(5), access: Duration.minutes(5), refresh: Duration.minutes(60) } as const;

/** Time the managed login pages give one sign-in, long enough for a first sign-in's new password and authenticator set-up. */
export const SIGN_IN_SESSION_VALIDITY = Duration.minutes(10);

export interface AcceptanceSignInProps {
  readonly userPool: UserPool;
  /** Base of the acceptance pages, without a trailing slash (may be the HTTP API's own URL, a token). */
  readonly publicBaseUrl: string;
  /** The Cognito prefix domain, used unless the settings name a domain of the operator's own. */
  readonly domainPrefix: string;
  readonly settings: SignInSettings;
}

/**
 * The customer admin's sign-in for the acceptance pages, on the existing user pool: a public app client
 * (authorization code only, `openid email`, no secret; the functions send a PKCE challenge, and Cognito then
 * insists on its verifier) whose callback is our own `/accept/callback`, and the hosted domain its pages live on.
 * Its tokens are for the pages alone: the HTTP API's authorizer does not take them.
 */
export class AcceptanceSignIn extends Construct {
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The OIDC issuer of the client's ID tokens, `https://cognito-idp.<region>.<urlSuffix>/<poolId>`. */
  readonly issuer: string;
  /** Where the hosted sign-in pages are served, e.g. `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly signInUrl: string;

  constructor(scope: Construct, id: string, props: AcceptanceSignInProps) {
    super(scope, id);
    const { userPool, publicBaseUrl, settings } = props;
    const stack = Stack.of(this);

    this.client = userPool.addClient('AcceptancePages', {
      generateSecret: false,
      // Only the hosted pages sign in through this client: no SRP or password flows against the API with its id.
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        // Without `aws.cognito.signin.user.admin` its access tokens cannot read or change the user through Cognito's API.
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [`${publicBaseUrl}${SIGN_IN_CALLBACK_PATH}`],
        logoutUrls: [`${publicBaseUrl}${SIGN_OUT_PATH}`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: ACCEPTANCE_TOKEN_VALIDITY.id,
      accessTokenValidity: ACCEPTANCE_TOKEN_VALIDITY.access,
      refreshTokenValidity: ACCEPTANCE_TOKEN_VALIDITY.refresh,
      authSessionValidity: SIGN_IN_SESSION_VALIDITY,
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true })
        .withCustomAttributes(TENANT_CLAIMS.customer),
    });

    const managedLoginVersion = settings.managedLogin ? ManagedLoginVersion.NEWER_MANAGED_LOGIN : ManagedLoginVersion.CLASSIC_HOSTED_UI;
    const custom = settings.customDomain;
    this.domain = userPool.addDomain('SignInDomain', {
      managedLoginVersion,
      ...(custom === undefined
        ? { cognitoDomain: { domainPrefix: props.domainPrefix } }
        : { customDomain: { domainName: custom.domainName, certificate: Certificate.fromCertificateArn(this, 'SignInCertificate', custom.certificateArn) } }),
    });
    if (settings.managedLogin) {
      // Managed login shows a client's pages only once the client has a style; Cognito's own until someone designs one.
      const branding = new CfnManagedLoginBranding(this, 'Branding', {
        userPoolId: userPool.userPoolId,
        clientId: this.client.userPoolClientId,
        useCognitoProvidedValues: true,
      });
      branding.node.addDependency(this.domain);
    }

    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPool.userPoolId}`;
    this.signInUrl = custom === undefined ? this.domain.baseUrl({ fips: settings.fipsEndpoints }) : `https://${custom.domainName}`;
  }
}
