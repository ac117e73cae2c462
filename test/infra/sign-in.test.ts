import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cloud } from '../../infra/config.js';
import { ACCEPTANCE_TOKEN_VALIDITY } from '../../infra/constructs/sign-in.js';
import { SIGN_IN_CALLBACK_PATH } from '../../shared/sign-in/paths.js';
import { nagFindings } from '../../infra/nag.js';
import { functions as catalogue } from '../../infra/routes.js';
import type { FunctionName, FunctionSpec } from '../../infra/routes.js';
import { SYNTH_TIMEOUT_MS, functionNames, logicalId, newApp, removeScratch, synthesize } from './synth.js';
import type { Json, Synthesized } from './synth.js';
import { loadConfig } from '../../infra/config.js';

type Resource = { Type: string; Properties: Json } & Json;

const REGIONS: Record<Cloud, string> = { public: 'us-east-1', usgov: 'us-gov-west-1', germany: 'eu-central-1' };
const BASE_URLS: Record<Cloud, string> = {
  public: 'https://partners.example.com',
  usgov: 'https://partners.example.gov',
  germany: 'https://partners.example.de',
};
const clouds = Object.keys(REGIONS) as Cloud[];
const usesSignIn = (name: FunctionName): boolean => (catalogue[name] as FunctionSpec).usesSignIn === true;

function resourcesOf(from: Synthesized, type: string): Record<string, Resource> {
  return from.template.findResources(type) as Record<string, Resource>;
}

function only(from: Synthesized, type: string): Resource {
  const [resource, ...others] = Object.values(resourcesOf(from, type));
  expect(others, type).toEqual([]);
  if (resource === undefined) throw new Error(`No ${type}`);
  return resource;
}

function acceptanceClient(from: Synthesized): Json {
  return resourcesOf(from, 'AWS::Cognito::UserPoolClient')[logicalId(from.stack, from.stack.signIn.client)]!.Properties;
}

function environmentOf(from: Synthesized, name: FunctionName): Json {
  const fn = resourcesOf(from, 'AWS::Lambda::Function')[logicalId(from.stack, from.stack.functions[name])]!;
  return (fn.Properties.Environment as { Variables: Json }).Variables;
}

/** A template value with the URL suffix both partitions here share written out, as CloudFormation resolves it. */
function withUrlSuffix(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll('{"Ref":"AWS::URLSuffix"}', '"amazonaws.com"')) as unknown;
}

/** `Fn::Join` with every literal neighbour merged, so two spellings of one URL compare equal. */
function joined(value: unknown): unknown {
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const merged: unknown[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return merged;
}

afterAll(removeScratch);

describe("the acceptance pages' sign-in client", () => {
  const synthesized = new Map<Cloud, Synthesized>();
  beforeAll(() => {
    for (const cloud of clouds) synthesized.set(cloud, synthesize({ cloud, publicBaseUrl: `${BASE_URLS[cloud]}/` }));
  }, SYNTH_TIMEOUT_MS);

  it.each(clouds)('in the %s cloud, signs customer admins in with the code grant alone, openid and email, and returns them to our own callback', (cloud) => {
    // Prepare
    const from = synthesized.get(cloud)!;

    // Act
    const client = acceptanceClient(from);

    // Assess
    expect(client).toEqual({
      UserPoolId: { Ref: logicalId(from.stack, from.stack.api.userPool) },
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [`${BASE_URLS[cloud]}/accept/callback`],
      LogoutURLs: [`${BASE_URLS[cloud]}/`],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      IdTokenValidity: 5,
      AccessTokenValidity: 5,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
      AuthSessionValidity: 10,
      ReadAttributes: ['custom:customer_domain', 'email', 'email_verified'],
    });
    expect(SIGN_IN_CALLBACK_PATH).toBe('/accept/callback');
    expect(ACCEPTANCE_TOKEN_VALIDITY.id.toMinutes()).toBeGreaterThanOrEqual(5);
    expect(ACCEPTANCE_TOKEN_VALIDITY.id.toMinutes()).toBeLessThanOrEqual(15);
  });

  it('returns to the HTTP API\'s own URL when no public base URL is configured, as the emailed links do', () => {
    // Prepare
    const from = synthesize({ cloud: 'public' });
    const endpoint = { 'Fn::GetAtt': [logicalId(from.stack, from.stack.api.httpApi), 'ApiEndpoint'] };

    // Act
    const client = acceptanceClient(from);

    // Assess
    expect(environmentOf(from, 'show-acceptance').PUBLIC_BASE_URL).toEqual(endpoint);
    expect(client.CallbackURLs).toEqual([{ 'Fn::Join': ['', [endpoint, '/accept/callback']] }]);
    expect(client.LogoutURLs).toEqual([{ 'Fn::Join': ['', [endpoint, '/']] }]);
  });

  it.each(clouds)('in the %s cloud, is no audience of the HTTP API\'s authorizer, which takes the API client\'s tokens alone', (cloud) => {
    // Prepare
    const from = synthesized.get(cloud)!;

    // Act
    const authorizer = only(from, 'AWS::ApiGatewayV2::Authorizer');
    const audience = (authorizer.Properties.JwtConfiguration as { Audience: unknown[] }).Audience;

    // Assess
    expect(audience).toEqual([{ Ref: logicalId(from.stack, from.stack.api.userPoolClient) }]);
    expect(audience).not.toContainEqual({ Ref: logicalId(from.stack, from.stack.signIn.client) });
    expect(Object.keys(resourcesOf(from, 'AWS::Cognito::UserPoolClient'))).toHaveLength(2);
  });

  it('reads the tenant attribute the user pool really has, immutable, and no partner attribute', () => {
    // Prepare
    const from = synthesized.get('public')!;

    // Act
    const schema = only(from, 'AWS::Cognito::UserPool').Properties.Schema as Json[];

    // Assess
    expect(schema).toContainEqual(expect.objectContaining({ Name: 'customer_domain', AttributeDataType: 'String', Mutable: false }));
    expect(acceptanceClient(from).ReadAttributes).not.toContain('custom:partner_id');
  });
});

describe('the hosted sign-in domain', () => {
  it.each([
    ['public', 'production', 'partner-relationships-public-', 2, '.auth.us-east-1.amazoncognito.com'],
    ['germany', 'production', 'partner-relationships-germany-', 2, '.auth.eu-central-1.amazoncognito.com'],
    ['usgov', 'production', 'partner-relationships-usgov-', 1, '.auth-fips.us-gov-west-1.amazoncognito.com'],
    ['public', 'dev', 'partner-relationships-public-dev-', 2, '.auth.us-east-1.amazoncognito.com'],
  ] as const)('in the %s cloud (%s), is the Cognito prefix %s<account>, managed login version %i, at https://<prefix>%s', (cloud, stage, prefix, version, host) => {
    // Prepare
    const from = synthesize({ cloud, stage });
    const domainId = logicalId(from.stack, from.stack.signIn.domain);

    // Act
    const domain = only(from, 'AWS::Cognito::UserPoolDomain');
    const outputs = from.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(domain.Properties).toEqual({
      UserPoolId: { Ref: logicalId(from.stack, from.stack.api.userPool) },
      Domain: { 'Fn::Join': ['', [prefix, { Ref: 'AWS::AccountId' }]] },
      ManagedLoginVersion: version,
    });
    expect(outputs.SignInUrl?.Value).toEqual({ 'Fn::Join': ['', ['https://', { Ref: domainId }, host]] });
    expect(outputs.AcceptanceClientId?.Value).toEqual({ Ref: logicalId(from.stack, from.stack.signIn.client) });
  });

  it('styles the acceptance client with Cognito\'s own branding where managed login is on, and needs none for the classic hosted UI', () => {
    // Act
    const publicCopy = synthesize({ cloud: 'public' });
    const usgov = synthesize({ cloud: 'usgov' });

    // Assess
    expect(only(publicCopy, 'AWS::Cognito::ManagedLoginBranding')).toMatchObject({
      Properties: {
        UserPoolId: { Ref: logicalId(publicCopy.stack, publicCopy.stack.api.userPool) },
        ClientId: { Ref: logicalId(publicCopy.stack, publicCopy.stack.signIn.client) },
        UseCognitoProvidedValues: true,
      },
      DependsOn: expect.arrayContaining([logicalId(publicCopy.stack, publicCopy.stack.signIn.domain)]),
    });
    usgov.template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 0);
  });

  it('moves to a domain of the operator\'s own, with its us-east-1 certificate, when asked, and stays clean under cdk-nag', () => {
    // Prepare
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';

    // Act
    const custom = synthesize({ cloud: 'germany', signInDomainName: 'sign-in.partners.example.de', signInCertificateArn: certificateArn });
    const outputs = custom.template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(only(custom, 'AWS::Cognito::UserPoolDomain').Properties).toEqual({
      UserPoolId: { Ref: logicalId(custom.stack, custom.stack.api.userPool) },
      Domain: 'sign-in.partners.example.de',
      CustomDomainConfig: { CertificateArn: certificateArn },
      ManagedLoginVersion: 2,
    });
    expect(outputs.SignInUrl?.Value).toBe('https://sign-in.partners.example.de');
    expect(nagFindings(custom.stack)).toEqual([]);
  });

  it('refuses a custom sign-in domain where Cognito has none (GovCloud), half given, or with a certificate outside us-east-1', () => {
    // Prepare
    const configFor = (context: Json): unknown => loadConfig(newApp(context).node);
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';

    // Assess
    expect(() => configFor({ cloud: 'usgov', signInDomainName: 'sign-in.partners.example.gov', signInCertificateArn: certificateArn })).toThrow(/no custom domains.*usgov/);
    expect(() => configFor({ signInDomainName: 'sign-in.partners.example.com' })).toThrow(/signInCertificateArn/);
    expect(() => configFor({ signInCertificateArn: certificateArn })).toThrow(/signInDomainName/);
    expect(() => configFor({ signInDomainName: 'Sign_In', signInCertificateArn: certificateArn })).toThrow(/signInDomainName/);
    expect(() =>
      configFor({ signInDomainName: 'sign-in.partners.example.com', signInCertificateArn: certificateArn.replace('us-east-1', 'eu-central-1') }),
    ).toThrow(/us-east-1/);
    expect(configFor({ signInDomainName: 'sign-in.partners.example.com', signInCertificateArn: certificateArn })).toMatchObject({
      signIn: { customDomain: { domainName: 'sign-in.partners.example.com', certificateArn } },
    });
  });
});

describe('functions that use the sign-in', () => {
  const flagged = functionNames.filter(usesSignIn);

  it('are marked in the catalogue: at least the page and the decision, which read the signed-in session', () => {
    expect(flagged).toEqual(expect.arrayContaining(['show-acceptance', 'decide-acceptance']));
    expect(flagged.length).toBeLessThan(functionNames.length);
  });

  it.each(clouds)('in the %s cloud, get the issuer the API also trusts and the acceptance client id, and no other function gets either', (cloud) => {
    // Prepare
    const from = synthesize({ cloud });
    const poolRef = { Ref: logicalId(from.stack, from.stack.api.userPool) };
    const authorizerIssuer = (only(from, 'AWS::ApiGatewayV2::Authorizer').Properties.JwtConfiguration as { Issuer: unknown }).Issuer;

    // Act
    const environments = Object.fromEntries(functionNames.map((name) => [name, environmentOf(from, name)]));

    // Assess
    for (const name of functionNames) {
      const env = environments[name]!;
      if (usesSignIn(name)) {
        expect(env.OIDC_ISSUER, name).toEqual({ 'Fn::Join': ['', [`https://cognito-idp.${REGIONS[cloud]}.`, { Ref: 'AWS::URLSuffix' }, '/', poolRef]] });
        expect(joined(withUrlSuffix(env.OIDC_ISSUER)), name).toEqual(joined(authorizerIssuer));
        expect(env.OIDC_CLIENT_ID, name).toEqual({ Ref: logicalId(from.stack, from.stack.signIn.client) });
      } else {
        expect(env, name).not.toHaveProperty('OIDC_ISSUER');
        expect(env, name).not.toHaveProperty('OIDC_CLIENT_ID');
      }
    }
  });

  it('need no IAM permission for it: no role may call Cognito', () => {
    // Prepare
    const from = synthesize({ cloud: 'public' });

    // Act
    const actions = Object.values(resourcesOf(from, 'AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((statement) => statement.Action),
    );

    // Assess
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => /^cognito/i.test(action))).toEqual([]);
  });
});
