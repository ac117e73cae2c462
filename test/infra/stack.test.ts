import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { App } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../infra/config.js';
import type { DeploymentConfig } from '../../infra/config.js';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/api.js';
import { constructId } from '../../infra/names.js';
import { functions as catalogue, routes, scheduledFunctions } from '../../infra/routes.js';
import type { FunctionName, FunctionSpec } from '../../infra/routes.js';
import { PartnerRelationshipsStack } from '../../infra/stack.js';
import { TABLE_INDEXES } from '../../shared/data/table.js';

type Json = Record<string, unknown>;
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const SYNTH_TIMEOUT_MS = 120_000;
const scratch = mkdtempSync(join(tmpdir(), 'infra-test-'));
/** A fresh app whose cloud assembly goes to this suite's scratch directory, removed afterwards. */
const newApp = (context: Json): App => new App({ outdir: mkdtempSync(join(scratch, 'app-')), context });
const names = Object.keys(catalogue) as FunctionName[];
const specOf = (name: FunctionName): FunctionSpec => catalogue[name];
const actionsOf = (statement: Statement): string[] =>
  (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).toSorted();

interface Synthesized {
  readonly config: DeploymentConfig;
  readonly stack: PartnerRelationshipsStack;
  readonly template: Template;
}

/** Builds the stack for a context; `bundle: false` skips esbuild for checks that only need the template. */
function synthesize(context: Json, bundle = true): Synthesized {
  const app = newApp(bundle ? context : { ...context, 'aws:cdk:bundling-stacks': [] });
  const config = loadConfig(app.node);
  const stack = new PartnerRelationshipsStack(app, config.stackName, { config, env: { region: config.region } });
  return { config, stack, template: Template.fromStack(stack) };
}

function logicalId(stack: PartnerRelationshipsStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

let config: DeploymentConfig;
let stack: PartnerRelationshipsStack;
let template: Template;
let tableId: string;

/** Every IAM statement attached to a catalogue function's role. */
function statementsOf(name: FunctionName): Statement[] {
  const role = stack.functions[name].role;
  if (role === undefined) throw new Error(`${name} has no role`);
  const roleId = logicalId(stack, role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

function tableResource(index: string | undefined): unknown {
  const arn = { 'Fn::GetAtt': [tableId, 'Arn'] };
  return index === undefined ? arn : { 'Fn::Join': ['', [arn, `/index/${index}`]] };
}

beforeAll(() => {
  ({ config, stack, template } = synthesize({ cloud: 'public' }));
  tableId = logicalId(stack, stack.table.table);
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the HTTP API', () => {
  it('serves exactly the routes of the route table, no more and no fewer', () => {
    // Prepare
    const expected = routes.map((route) => `${route.method} ${route.path}`).toSorted();

    // Act
    const deployed = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .map((route) => route.Properties.RouteKey as string)
      .toSorted();

    // Assess
    expect(deployed).toEqual(expected);
  });

  it('asks partners for a Cognito-verified JWT and lets anyone holding an emailed link reach the public routes', () => {
    // Prepare
    const [authorizerId, ...others] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    const byKey = new Map(
      Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => [route.Properties.RouteKey, route.Properties]),
    );

    // Act
    const deployed = routes.map((route) => ({ route, properties: byKey.get(`${route.method} ${route.path}`) as Json }));

    // Assess
    expect(others).toEqual([]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: logicalId(stack, stack.api.userPoolClient) }],
        Issuer: { 'Fn::Join': ['', [`https://cognito-idp.${config.region}.amazonaws.com/`, { Ref: logicalId(stack, stack.api.userPool) }]] },
      },
    });
    for (const { route, properties } of deployed) {
      if (route.access === 'partner') {
        expect(properties, `${route.method} ${route.path}`).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(properties.AuthorizationType ?? 'NONE', `${route.method} ${route.path}`).toBe('NONE');
        expect(properties.AuthorizerId, `${route.method} ${route.path}`).toBeUndefined();
      }
    }
  });

  it('answers GET and HEAD of an acceptance link with the same show-acceptance function', () => {
    // Prepare
    const routeFunctions = new Set(routes.map((route) => route.function));
    const targetOf = (key: string): unknown =>
      Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find((route) => route.Properties.RouteKey === key)?.Properties.Target;

    // Act
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration'));

    // Assess
    expect(integrations).toHaveLength(routeFunctions.size);
    expect(targetOf('HEAD /accept/{id}')).toEqual(targetOf('GET /accept/{id}'));
  });

  it('throttles the default route and keeps the emailed secret out of the access log', () => {
    // Prepare
    const [stage, ...others] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));

    // Act
    const settings = stage?.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const fields = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(others).toEqual([]);
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(fields).toEqual(ACCESS_LOG_FIELDS);
    expect(fields.requestId).toBe('$context.requestId');
    expect(fields.routeKey).toBe('$context.routeKey');
    for (const value of Object.values(fields)) {
      expect(value).not.toMatch(/query|requestOverride|\$request\.|url|uri/i);
    }
  });

  it('issues partner accounts only through an admin, with a partner_id that cannot be changed', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'partner_id', AttributeDataType: 'String', Mutable: false })]),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false });
  });
});

describe('the table', () => {
  it('keys every item by PK/SK and keeps the listing and expiry indexes', () => {
    // Prepare
    const gsi2 = TABLE_INDEXES.find((index) => index.indexName === 'GSI2');

    // Act
    const table = template.findResources('AWS::DynamoDB::Table')[tableId]?.Properties as Json;

    // Assess
    expect(table.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'GSI1',
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: 'GSI2',
        KeySchema: [
          { AttributeName: 'GSI2PK', KeyType: 'HASH' },
          { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...(gsi2?.nonKeyAttributes ?? [])] },
      },
    ]);
  });

  it('lets expired items age out, bills per request, and survives a stack deletion or a bad day', () => {
    template.templateMatches({
      Resources: {
        [tableId]: {
          Type: 'AWS::DynamoDB::Table',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          },
        },
      },
    });
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });
});

describe('least privilege', () => {
  it.each(names)('lets %s perform exactly its catalogued DynamoDB actions on the table or index it names', (name) => {
    // Prepare
    const expected = specOf(name)
      .table.map((grant) => ({ actions: [...grant.actions].toSorted(), resource: tableResource(grant.index) }))
      .toSorted((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

    // Act
    const granted = statementsOf(name)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')))
      .map((statement) => ({ actions: actionsOf(statement), resource: statement.Resource }))
      .toSorted((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

    // Assess
    expect(granted).toEqual(expected);
  });

  it('never grants a Scan or a DynamoDB wildcard to anyone', () => {
    // Act
    const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).flatMap(actionsOf),
    );

    // Assess
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).not.toHaveLength(0);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('lets only create-invitation send email, and only as the configured sender identity', () => {
    // Prepare
    const senders = names.filter((name) => specOf(name).sendsEmail === true);
    const domain = config.senderEmail.split('@')[1];

    // Act
    const sesStatements = Object.fromEntries(
      names.map((name) => [name, statementsOf(name).filter((statement) => actionsOf(statement).some((a) => a.startsWith('ses:')))]),
    );

    // Assess
    expect(senders).toEqual(['create-invitation']);
    for (const name of names.filter((n) => n !== 'create-invitation')) {
      expect(sesStatements[name], name).toEqual([]);
    }
    const [statement, ...others] = sesStatements['create-invitation'] ?? [];
    expect(others).toEqual([]);
    expect(actionsOf(statement!)).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    const resources = JSON.stringify(statement!.Resource);
    expect(statement!.Resource).not.toBe('*');
    expect(resources).not.toContain('"*"');
    expect(resources).toContain(`:identity/${config.senderEmail}`);
    expect(resources).toContain(`:identity/${domain}"`);
    expect(resources).toContain('{"Ref":"AWS::Partition"}');
  });

  it('grants nothing on "*" except X-Ray tracing', () => {
    // Act
    const wildcard = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*')));

    // Assess
    expect(wildcard.flatMap(actionsOf).every((action) => action.startsWith('xray:'))).toBe(true);
  });
});

describe('the functions', () => {
  it('deploys one function per catalogue entry and nothing else', () => {
    template.resourceCountIs('AWS::Lambda::Function', names.length);
    expect(Object.keys(stack.functions).toSorted()).toEqual(names.toSorted());
  });

  it.each(names)('runs %s on Node.js 22 on arm64 with its own log group and tracing', (name) => {
    // Prepare
    const id = logicalId(stack, stack.functions[name]);

    // Act
    const fn = template.findResources('AWS::Lambda::Function')[id]?.Properties as Json;

    // Assess
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: scheduledFunctions.includes(name) ? 300 : 10,
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
    const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toMatchObject({ RetentionInDays: 30 });
  });

  it.each(names)('gives %s the configuration it reads at cold start', (name) => {
    // Prepare
    const apiEndpoint = { 'Fn::GetAtt': [logicalId(stack, stack.api.httpApi), 'ApiEndpoint'] };

    // Act
    const env = (template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.functions[name])]?.Properties as Json)
      .Environment as { Variables: Json };

    // Assess
    expect(env.Variables).toEqual({
      TABLE_NAME: { Ref: tableId },
      PUBLIC_BASE_URL: apiEndpoint,
      SENDER_EMAIL: 'no-reply@partner-relationships.example.com',
      INVITATION_TTL_DAYS: '90',
      POWERTOOLS_SERVICE_NAME: 'partner-relationships',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('runs the cleanup function every 15 minutes', () => {
    // Prepare
    const cleanupIds = scheduledFunctions.map((name) => logicalId(stack, stack.functions[name]));

    // Act
    const rules = Object.values(template.findResources('AWS::Events::Rule'));

    // Assess
    expect(cleanupIds).toHaveLength(1);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': [cleanupIds[0], 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [cleanupIds[0], 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });
});

describe('the deployment', () => {
  it('writes no ARN that only works in the commercial partition', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('arn:aws:');
  });

  it('tells the operator the API URL, user pool, app client and table', () => {
    // Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(outputs).toMatchObject({
      ApiUrl: { Value: { 'Fn::GetAtt': [logicalId(stack, stack.api.httpApi), 'ApiEndpoint'] } },
      UserPoolId: { Value: { Ref: logicalId(stack, stack.api.userPool) } },
      UserPoolClientId: { Value: { Ref: logicalId(stack, stack.api.userPoolClient) } },
      TableName: { Value: { Ref: tableId } },
    });
  });

  it.each([
    ['usgov', 'us-gov-west-1', 'PartnerRelationships-usgov'],
    ['germany', 'eu-central-1', 'PartnerRelationships-germany'],
  ])('deploys an isolated %s copy to %s', (cloud, region, stackName) => {
    // Act
    const other = synthesize({ cloud }, false);
    const json = JSON.stringify(other.template.toJSON());

    // Assess
    expect(other.stack.region).toBe(region);
    expect(other.stack.stackName).toBe(stackName);
    expect(json).not.toContain('arn:aws:');
    expect(json).toContain(`https://cognito-idp.${region}.amazonaws.com/`);
    expect(json).toContain(`:ses:${region}:`);
    other.template.resourceCountIs('AWS::Lambda::Function', names.length);
  });

  it('links emails to a custom domain and sender when the operator asks for them', () => {
    // Act
    const custom = synthesize(
      { cloud: 'germany', publicBaseUrl: 'https://partners.example.de/', senderEmail: 'invite@example.de', invitationTtlDays: '30' },
      false,
    );
    const env = (custom.template.findResources('AWS::Lambda::Function')[logicalId(custom.stack, custom.stack.functions['create-invitation'])]
      ?.Properties as Json).Environment as { Variables: Json };

    // Assess
    expect(env.Variables).toMatchObject({
      PUBLIC_BASE_URL: 'https://partners.example.de',
      SENDER_EMAIL: 'invite@example.de',
      INVITATION_TTL_DAYS: '30',
    });
  });
});

describe('the deployment config', () => {
  const configFor = (context: Json): DeploymentConfig => loadConfig(newApp(context).node);

  it('deploys to the public cloud by default, with a 90-day invitation and a 15-minute cleanup', () => {
    // Act
    const defaults = configFor({});

    // Assess
    expect(defaults).toMatchObject({
      cloud: 'public',
      region: 'us-east-1',
      stackName: 'PartnerRelationships-public',
      senderEmail: 'no-reply@partner-relationships.example.com',
      publicBaseUrl: undefined,
      invitationTtlDays: 90,
    });
    expect(defaults.cleanupRate.toMinutes()).toBe(15);
  });

  it('refuses an unknown cloud instead of deploying somewhere unexpected', () => {
    expect(() => configFor({ cloud: 'china' })).toThrow(/Unknown cloud "china".*public\|usgov\|germany/);
  });

  it('refuses settings that would break the emails or the schedule', () => {
    expect(() => configFor({ senderEmail: 'not-an-email' })).toThrow(/senderEmail/);
    expect(() => configFor({ publicBaseUrl: 'http://insecure.example.com' })).toThrow(/publicBaseUrl/);
    expect(() => configFor({ invitationTtlDays: '0' })).toThrow(/invitationTtlDays/);
    expect(() => configFor({ cleanupRateMinutes: 'often' })).toThrow(/cleanupRateMinutes/);
  });
});

describe('construct ids', () => {
  it('names each function after its catalogue entry, so logical ids stay stable', () => {
    expect(names.map(constructId)).toEqual(names.map((name) => stack.functions[name].node.id));
    expect(constructId('create-invitation')).toBe('CreateInvitation');
  });
});
