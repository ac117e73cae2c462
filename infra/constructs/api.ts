import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpStage, IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnUserPoolRiskConfigurationAttachment,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import type { UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Throttle } from '../config.js';
import { constructId } from '../names.js';
import type { Access, FunctionName, Route } from '../routes.js';
import { LOG_RETENTION } from './app-function.js';
import { TENANT_CLAIMS } from '../../shared/identity/caller.js';

/**
 * One JSON line per request. Only the route key and the path: never the query string, which
 * carries the acceptance link's secret.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
} as const;

/** Shortest password a user pool accepts; with no composition rules, as OWASP ASVS 5.0 V6.2.1 and V6.2.5 recommend. */
export const MIN_PASSWORD_LENGTH = 15;

/** The immutable claims that tie a user to a tenant (named in the one module that reads them); Cognito ID tokens carry them as `custom:<name>`, and the handlers refuse a token that has both. */
export const TENANT_ATTRIBUTES = {
  [TENANT_CLAIMS.partner]: { maxLen: 64 },
  [TENANT_CLAIMS.customer]: { maxLen: 253 },
} as const;

/** Why a public route needs no authorizer. A public route matching none fails the cdk-nag check (AwsSolutions-APIG4) until someone writes down why. */
const PUBLIC_BY_DESIGN: readonly { readonly path: RegExp; readonly reason: string }[] = [
  {
    path: /^\/accept\//,
    reason:
      'Public by design: the customer admin has no account here; the single-use secret in the emailed link is the credential, checked by the function, and a GET or HEAD changes nothing.',
  },
  {
    path: /^\/openapi\.json$/,
    reason: 'Public by design: the OpenAPI document describes the published contract and carries no tenant data.',
  },
];

export interface ApiProps {
  readonly routes: readonly Route[];
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  readonly throttle: Throttle;
  /** Cognito Plus with threat protection enforced; without it the pool stays on the region's default plan. */
  readonly threatProtection: boolean;
  /** Protects the user pool from deletion. */
  readonly production: boolean;
}

/**
 * The HTTP API built from the route table: one Cognito user pool for partner staff and customer admins, whose JWT
 * authorizer guards every route that is not public (the handler then answers 403 to a token of the wrong kind, as
 * locally), stage throttling and query-free access logs.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** The endpoint URL, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      customAttributes: Object.fromEntries(
        Object.entries(TENANT_ATTRIBUTES).map(([name, { maxLen }]) => [name, new StringAttribute({ minLen: 1, maxLen, mutable: false })]),
      ),
      passwordPolicy: {
        minLength: MIN_PASSWORD_LENGTH,
        requireLowercase: false,
        requireUppercase: false,
        requireDigits: false,
        requireSymbols: false,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      deletionProtection: props.production,
      ...(props.threatProtection
        ? { featurePlan: FeaturePlan.PLUS, standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
    });
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { userSrp: true },
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG1',
      reason: `Passwords need ${MIN_PASSWORD_LENGTH} characters and no composition rules, as OWASP ASVS 5.0 V6.2.1/V6.2.5 and NIST SP 800-63B ask; MFA is required${props.threatProtection ? ' and compromised passwords are blocked' : ''}.`,
    });
    if (props.threatProtection) {
      new CfnUserPoolRiskConfigurationAttachment(this, 'UserPoolRisks', {
        userPoolId: this.userPool.userPoolId,
        clientId: 'ALL',
        compromisedCredentialsRiskConfiguration: { actions: { eventAction: 'BLOCK' } },
        accountTakeoverRiskConfiguration: { actions: { highAction: { eventAction: 'BLOCK', notify: false } } },
      });
    } else {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          "Threat protection, the Plus plan's reason to exist, is off for this cloud in infra/config.ts (AWS documents no support for it in GovCloud), so the pool stays on the default plan; MFA is required and passwords are long.",
      });
    }

    const jwt = new HttpUserPoolAuthorizer('UserJwt', this.userPool, { userPoolClients: [this.userPoolClient] });
    // Fails to compile when the route table gains an access kind nobody decided how to guard.
    const authorizers: Record<Access, IHttpRouteAuthorizer | undefined> = {
      public: undefined,
      partner: jwt,
      customer: jwt,
      'partner-or-customer': jwt,
    };

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Partner relationships: invitations, acceptance, relationships',
      createDefaultStage: false,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { burstLimit: props.throttle.burstLimit, rateLimit: props.throttle.rateLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION })),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = this.httpApi.apiEndpoint;

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.function);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${constructId(route.function)}Integration`, props.functions[route.function]);
        integrations.set(route.function, integration);
      }
      const authorizer = authorizers[route.access];
      const added = this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer });
      const reason = authorizer === undefined ? PUBLIC_BY_DESIGN.find((known) => known.path.test(route.path))?.reason : undefined;
      if (reason !== undefined) {
        for (const httpRoute of added) Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      }
    }
  }
}
