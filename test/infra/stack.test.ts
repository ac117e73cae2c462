import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../infra/config.js';
import type { Cloud, DeploymentConfig } from '../../infra/config.js';
import { ACCESS_LOG_FIELDS, MIN_PASSWORD_LENGTH, TENANT_ATTRIBUTES } from '../../infra/constructs/api.js';
import { BUNDLING, ESBUILD_OPTIONS, REPO_ROOT } from '../../infra/constructs/app-function.js';
import { INVITATION_METRICS } from '../../infra/constructs/monitoring.js';
import { constructId } from '../../infra/names.js';
import { functions as catalogue, readsTableStream, routes, scheduledFunctions } from '../../infra/routes.js';
import type { FunctionName, FunctionSpec } from '../../infra/routes.js';
import type { PartnerRelationshipsStack } from '../../infra/stack.js';
import { IDEMPOTENCY_TABLE, TABLE_INDEXES, TABLE_KEYS } from '../../shared/data/table.js';
import { STREAM_DELIVERY } from '../../shared/events/stream.js';
import { SYNTH_TIMEOUT_MS, cdkJsonContext, functionNames as names, logicalId, newApp, removeScratch, synthesize } from './synth.js';
import type { Json } from './synth.js';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Json;
}

const specOf = (name: FunctionName): FunctionSpec => catalogue[name];
const actionsOf = (statement: Statement): string[] =>
  (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).toSorted();
const byJson = <T>(a: T, b: T): number => JSON.stringify(a).localeCompare(JSON.stringify(b));
const routed = new Set(routes.map((route) => route.function));
const isAsync = (name: FunctionName): boolean => scheduledFunctions.includes(name) || !routed.has(name);
const WRITES = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/;
const isIdempotent = (name: FunctionName): boolean => specOf(name).idempotent === true;
const consumesStream = (name: FunctionName): boolean => specOf(name).consumesStream === true;
const readsStream = (name: FunctionName): boolean => readsTableStream(specOf(name));
/** What Powertools does with its records: read, create, complete and, on failure, remove them. */
const IDEMPOTENCY_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** What the event source mapping reads the stream with, on the stream itself. */
const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const MAIN_KEY_SCHEMA = [
  { AttributeName: 'PK', KeyType: 'HASH' },
  { AttributeName: 'SK', KeyType: 'RANGE' },
];
const IDEMPOTENCY_KEY_SCHEMA = [{ AttributeName: 'id', KeyType: 'HASH' }];

let config: DeploymentConfig;
let stack: PartnerRelationshipsStack;
let template: Template;
/** The data table, found by its PK/SK key schema. */
let tableId: string;
/** The Powertools idempotency table, found by its `id` key schema. */
let idempotencyId: string;
let keyId: string;

function resourcesOf(type: string, from: Template = template): Record<string, { Properties: Json } & Json> {
  return from.findResources(type) as Record<string, { Properties: Json } & Json>;
}

function propertiesOf(type: string, id: string, from: Template = template): Json {
  const resource = resourcesOf(type, from)[id];
  if (resource === undefined) throw new Error(`No ${type} ${id}`);
  return resource.Properties;
}

/** The IAM statements attached to a catalogue function's role, exactly as the template has them. */
function rawStatementsOf(name: FunctionName, from: { stack: PartnerRelationshipsStack; template: Template } = { stack, template }): Statement[] {
  const role = from.stack.functions[name].role;
  if (role === undefined) throw new Error(`${name} has no role`);
  const roleId = logicalId(from.stack, role);
  return Object.values(resourcesOf('AWS::IAM::Policy', from.template))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/**
 * Every permission of a catalogue function's role, one statement per effect, resource and condition
 * with every action allowed on it (sorted): what the role may do, however `minimizePolicies` merged it.
 */
function statementsOf(name: FunctionName, from: { stack: PartnerRelationshipsStack; template: Template } = { stack, template }): Statement[] {
  const byTarget = new Map<string, { statement: Omit<Statement, 'Action'>; actions: Set<string> }>();
  for (const statement of rawStatementsOf(name, from)) {
    for (const resource of Array.isArray(statement.Resource) ? (statement.Resource as unknown[]) : [statement.Resource]) {
      const key = JSON.stringify([statement.Effect, resource, statement.Condition ?? null]);
      const target = byTarget.get(key) ?? { statement: { Effect: statement.Effect, Resource: resource, Condition: statement.Condition }, actions: new Set<string>() };
      for (const action of actionsOf(statement)) target.actions.add(action);
      byTarget.set(key, target);
    }
  }
  // Keys in the order the expectations write them, so sorting by JSON compares like with like.
  return [...byTarget.values()].map(({ statement: { Effect, Resource, Condition }, actions }) => ({
    Effect,
    Action: [...actions].toSorted(),
    Resource,
    ...(Condition === undefined ? {} : { Condition }),
  }));
}

/** Grants of actions on resources, merged per resource as `statementsOf` reports them. */
function mergedByResource(grants: readonly { actions: readonly string[]; resource: unknown }[]): { actions: string[]; resource: unknown }[] {
  const merged = new Map<string, { actions: Set<string>; resource: unknown }>();
  for (const grant of grants) {
    const entry = merged.get(JSON.stringify(grant.resource)) ?? { actions: new Set<string>(), resource: grant.resource };
    for (const action of grant.actions) entry.actions.add(action);
    merged.set(JSON.stringify(grant.resource), entry);
  }
  return [...merged.values()].map(({ actions, resource }) => ({ actions: [...actions].toSorted(), resource })).toSorted(byJson);
}

/** The one table of a template with this key schema. */
function tableWithKeys(keySchema: Json[], from: Template = template): string {
  const ids = Object.entries(resourcesOf('AWS::DynamoDB::Table', from))
    .filter(([, table]) => isDeepStrictEqual(table.Properties.KeySchema, keySchema))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`Expected one table keyed ${JSON.stringify(keySchema)}, found ${ids.length}`);
  return ids[0]!;
}

/** A KMS statement on the table key, usable only through DynamoDB in the stack's region. */
function keyStatement(writes: boolean): Statement {
  return {
    Effect: 'Allow',
    Action: writes ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'],
    Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
    Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`dynamodb.${config.region}.`, { Ref: 'AWS::URLSuffix' }]] } } },
  };
}

/** The partition of each region the stack deploys to; with `@aws-cdk/core:enablePartitionLiterals` ARNs carry it literally. */
const PARTITIONS: Record<string, string> = { 'us-east-1': 'aws', 'eu-central-1': 'aws', 'us-gov-west-1': 'aws-us-gov' };

function partitionOf(region: string): string {
  const partition = PARTITIONS[region];
  if (partition === undefined) throw new Error(`No partition known for ${region}`);
  return partition;
}

/** The default EventBridge bus of the deploying account, in a region, in that region's partition. */
function defaultBusArn(region: string): unknown {
  return { 'Fn::Join': ['', [`arn:${partitionOf(region)}:events:${region}:`, { Ref: 'AWS::AccountId' }, ':event-bus/default']] };
}

function isOnEverything(statement: Statement): boolean {
  return statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*'));
}

function tableResource(index: string | undefined): unknown {
  const arn = { 'Fn::GetAtt': [tableId, 'Arn'] };
  return index === undefined ? arn : { 'Fn::Join': ['', [arn, `/index/${index}`]] };
}

function functionProperties(name: FunctionName): Json {
  return propertiesOf('AWS::Lambda::Function', logicalId(stack, stack.functions[name]));
}

/** The dashboard's widgets, with every CloudFormation token in the body replaced by `TOKEN`. */
function dashboardWidgets(): { properties: { title: string; metrics: unknown[][] } }[] {
  const [dashboard, ...others] = Object.values(resourcesOf('AWS::CloudWatch::Dashboard'));
  expect(others).toEqual([]);
  const parts = (dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (JSON.parse(body) as { widgets: { properties: { title: string; metrics: unknown[][] } }[] }).widgets;
}

beforeAll(() => {
  ({ config, stack, template } = synthesize({ cloud: 'public' }));
  tableId = tableWithKeys(MAIN_KEY_SCHEMA);
  idempotencyId = tableWithKeys(IDEMPOTENCY_KEY_SCHEMA);
  keyId = logicalId(stack, stack.table.key);
}, SYNTH_TIMEOUT_MS);

afterAll(removeScratch);

describe('the HTTP API', () => {
  it('serves exactly the routes of the route table, no more and no fewer', () => {
    // Prepare
    const expected = routes.map((route) => `${route.method} ${route.path}`).toSorted();

    // Act
    const deployed = Object.values(resourcesOf('AWS::ApiGatewayV2::Route'))
      .map((route) => route.Properties.RouteKey as string)
      .toSorted();

    // Assess
    expect(deployed).toEqual(expected);
  });

  it('checks the token of every route that is not public with one Cognito JWT authorizer, leaving the kind of token to the handler', () => {
    // Prepare
    const [authorizerId, ...others] = Object.keys(resourcesOf('AWS::ApiGatewayV2::Authorizer'));
    const byKey = new Map(Object.values(resourcesOf('AWS::ApiGatewayV2::Route')).map((route) => [route.Properties.RouteKey, route.Properties]));

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
    expect(deployed.some(({ route }) => route.access !== 'public')).toBe(true);
    for (const { route, properties } of deployed) {
      const where = `${route.method} ${route.path} (${route.access})`;
      if (route.access === 'public') {
        expect(properties.AuthorizationType ?? 'NONE', where).toBe('NONE');
        expect(properties.AuthorizerId, where).toBeUndefined();
      } else {
        expect(properties, where).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      }
    }
  });

  it('answers GET and HEAD of an acceptance link with the same show-acceptance function', () => {
    // Prepare
    const routeFunctions = new Set(routes.map((route) => route.function));
    const targetOf = (key: string): unknown =>
      Object.values(resourcesOf('AWS::ApiGatewayV2::Route')).find((route) => route.Properties.RouteKey === key)?.Properties.Target;

    // Act
    const integrations = Object.values(resourcesOf('AWS::ApiGatewayV2::Integration'));

    // Assess
    expect(integrations).toHaveLength(routeFunctions.size);
    expect(targetOf('HEAD /accept/{id}')).toEqual(targetOf('GET /accept/{id}'));
  });

  it("throttles the default route at the cloud's rates and keeps the emailed secret out of the access log", () => {
    // Prepare
    const [stage, ...others] = Object.values(resourcesOf('AWS::ApiGatewayV2::Stage'));

    // Act
    const settings = stage?.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const fields = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(others).toEqual([]);
    expect(config.throttle).toEqual({ rateLimit: 50, burstLimit: 100 });
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(fields).toEqual(ACCESS_LOG_FIELDS);
    for (const value of Object.values(fields)) {
      expect(value).not.toMatch(/query|requestOverride|\$request\.|url|uri/i);
    }
  });
});

describe('signing in', () => {
  it('issues accounts only through an admin, tied for good to one partner or one customer domain', () => {
    // Act
    const pools = Object.values(resourcesOf('AWS::Cognito::UserPool'));

    // Assess
    expect(pools).toHaveLength(1);
    expect(pools[0]?.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Object.entries(TENANT_ATTRIBUTES).map(([name]) => expect.objectContaining({ Name: name, AttributeDataType: 'String', Mutable: false })),
    });
    expect(Object.keys(TENANT_ATTRIBUTES)).toEqual(['partner_id', 'customer_domain']);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false, PreventUserExistenceErrors: 'ENABLED' });
  });

  it('asks every user for an authenticator code and a long password without composition rules', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: MIN_PASSWORD_LENGTH,
          RequireLowercase: false,
          RequireUppercase: false,
          RequireNumbers: false,
          RequireSymbols: false,
        },
      },
    });
    expect(MIN_PASSWORD_LENGTH).toBeGreaterThanOrEqual(15);
  });

  it('blocks sign-ins with leaked passwords and high-risk sign-ins where Cognito offers threat protection', () => {
    // Prepare
    const poolId = logicalId(stack, stack.api.userPool);

    // Act
    const usgov = synthesize({ cloud: 'usgov' });

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'PLUS', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
    template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      UserPoolId: { Ref: poolId },
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: { Actions: { HighAction: { EventAction: 'BLOCK', Notify: false } } },
    });
    usgov.template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: Match.absent(), UserPoolAddOns: Match.absent(), MfaConfiguration: 'ON' });
    usgov.template.resourceCountIs('AWS::Cognito::UserPoolRiskConfigurationAttachment', 0);
  });
});

describe('the tables', () => {
  it('keeps two tables: the data table, keyed PK/SK, and the idempotency table, keyed id', () => {
    // Act
    const tables = Object.keys(resourcesOf('AWS::DynamoDB::Table')).toSorted();

    // Assess
    expect(tables).toEqual([tableId, idempotencyId].toSorted());
    expect(tableId).not.toBe(idempotencyId);
    expect(tableId).toBe(logicalId(stack, stack.table.table));
    expect(idempotencyId).toBe(logicalId(stack, stack.table.idempotency));
    expect(TABLE_KEYS).toEqual({ partitionKey: 'PK', sortKey: 'SK' });
  });

  it('keys every item by PK/SK and keeps the listing and expiry indexes', () => {
    // Prepare
    const gsi2 = TABLE_INDEXES.find((index) => index.indexName === 'GSI2');

    // Act
    const table = propertiesOf('AWS::DynamoDB::Table', tableId);

    // Assess
    expect(table.KeySchema).toEqual(MAIN_KEY_SCHEMA);
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

  it('encrypts who may administer whom with a key of its own that rotates and outlives the stack', () => {
    // Act
    const table = propertiesOf('AWS::DynamoDB::Table', tableId);

    // Assess
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.templateMatches({
      Resources: { [keyId]: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } } },
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
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
  });

  it('streams the new image of every written item, the audit outbox', () => {
    // Act
    const table = propertiesOf('AWS::DynamoDB::Table', tableId);

    // Assess
    expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  it('keeps the Powertools idempotency records in a table of their own: key id, TTL expiration, the same key, PITR, gone with the stack', () => {
    // Act
    const idempotency = resourcesOf('AWS::DynamoDB::Table')[idempotencyId];

    // Assess
    expect(IDEMPOTENCY_TABLE).toEqual({ partitionKey: 'id', ttlAttribute: 'expiration' });
    expect(idempotency).toEqual({
      Type: 'AWS::DynamoDB::Table',
      // Its records expire after 24 hours: nothing to keep, so no retention and no deletion protection, even in production.
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: IDEMPOTENCY_KEY_SCHEMA,
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      },
    });
  });
});

describe('least privilege', () => {
  it('attaches every IAM policy to the role of a catalogue function, so the checks per function see every statement', () => {
    // Prepare
    const roles = names.map((name) => JSON.stringify([{ Ref: logicalId(stack, stack.functions[name].role!) }])).toSorted();

    // Act
    const attached = Object.values(resourcesOf('AWS::IAM::Policy'))
      .map((policy) => JSON.stringify(policy.Properties.Roles))
      .toSorted();

    // Assess
    expect(attached).toEqual(roles);
  });

  it.each(names)(
    'lets %s perform exactly its catalogued DynamoDB actions on the table or index it names, plus its idempotency records or the stream if it needs them',
    (name) => {
      // Prepare
      const expected = mergedByResource([
        ...specOf(name).table.map((grant) => ({ actions: grant.actions, resource: tableResource(grant.index) })),
        ...(isIdempotent(name) ? [{ actions: IDEMPOTENCY_ACTIONS, resource: { 'Fn::GetAtt': [idempotencyId, 'Arn'] } }] : []),
        ...(readsStream(name)
          ? [
              { actions: STREAM_READ_ACTIONS, resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] } },
              { actions: ['dynamodb:ListStreams'], resource: '*' },
            ]
          : []),
      ]);

      // Act
      const granted = statementsOf(name)
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')))
        .map((statement) => ({ actions: actionsOf(statement).filter((action) => action.startsWith('dynamodb:')), resource: statement.Resource }))
        .toSorted(byJson);

      // Assess
      expect(granted).toEqual(expected);
    },
  );

  it('gives the idempotency table only to the functions that take an Idempotency-Key, for item reads and writes alone', () => {
    // Prepare
    const idempotent = names.filter(isIdempotent);

    // Act
    const touching = Object.fromEntries(
      names.map((name) => [
        name,
        statementsOf(name)
          .filter((statement) => JSON.stringify(statement).includes(`"${idempotencyId}"`))
          .map((statement) => ({ effect: statement.Effect, actions: actionsOf(statement), resource: statement.Resource, condition: statement.Condition })),
      ]),
    );

    // Assess
    expect(idempotent.toSorted()).toEqual(['create-invitation', 'decide-acceptance', 'resend-invitation']);
    expect(touching).toEqual(
      Object.fromEntries(
        names.map((name) => [
          name,
          isIdempotent(name) ? [{ effect: 'Allow', actions: IDEMPOTENCY_ACTIONS, resource: { 'Fn::GetAtt': [idempotencyId, 'Arn'] }, condition: undefined }] : [],
        ]),
      ),
    );
  });

  it.each(names)('lets %s use the table key only through DynamoDB, to decrypt what it reads and to encrypt only if it writes', (name) => {
    // Prepare
    const grants = specOf(name).table;
    const uses = new Set<boolean>();
    if (grants.length > 0) uses.add(grants.some((grant) => grant.actions.some((action) => WRITES.test(action))));
    // Idempotency records are written; stream records only read.
    if (isIdempotent(name)) uses.add(true);
    // A function that also writes has the reader's statement merged into its own (same key, same condition).
    if (readsStream(name) && !uses.has(true)) uses.add(false);
    const expected = [...uses].map(keyStatement).toSorted(byJson);

    // Act
    const granted = statementsOf(name)
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')))
      .toSorted(byJson);

    // Assess
    expect(granted).toEqual(expected);
  });

  it.each(names)('lets %s write logs only to its own log group, with no AWS managed policy', (name) => {
    // Prepare
    const logGroup = (functionProperties(name).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const role = stack.functions[name].role;

    // Act
    const logs = statementsOf(name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
    const roleProperties = propertiesOf('AWS::IAM::Role', logicalId(stack, role!));

    // Assess
    expect(logs).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
    ]);
    expect(roleProperties.ManagedPolicyArns).toBeUndefined();
  });

  it('never grants a Scan or a wildcard action to anyone', () => {
    // Act
    const actions = Object.values(resourcesOf('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.flatMap(actionsOf),
    );

    // Assess
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).not.toHaveLength(0);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('lets only the functions that email send it, and only as the configured sender identity', () => {
    // Prepare
    const senders = names.filter((name) => specOf(name).sendsEmail === true);
    const domain = config.senderEmail.split('@')[1];

    // Act
    const sesStatements = new Map(
      names.map((name) => [name, statementsOf(name).filter((statement) => actionsOf(statement).some((a) => a.startsWith('ses:')))]),
    );

    // Assess
    // The invitation's admin (send-invitation-emails, off the request path), and the customer's notify addresses on each
    // grant, end and expiry. The partner's contact address too, when its request email bounced (record-email-events).
    expect(senders.toSorted()).toEqual(['cleanup-expired', 'decide-acceptance', 'end-relationship', 'record-email-events', 'send-invitation-emails']);
    for (const name of names) {
      const statements = sesStatements.get(name) ?? [];
      if (!senders.includes(name)) {
        expect(statements, name).toEqual([]);
        continue;
      }
      // The sender address, its domain, and the configuration set.
      expect(statements.map(actionsOf), name).toEqual([
        ['ses:SendEmail', 'ses:SendRawEmail'],
        ['ses:SendEmail', 'ses:SendRawEmail'],
        ['ses:SendEmail', 'ses:SendRawEmail'],
      ]);
      const resources = JSON.stringify(statements.map((statement) => statement.Resource));
      expect(resources).not.toContain('"*"');
      expect(resources).toContain(`:identity/${config.senderEmail}"`);
      expect(resources).toContain(`:identity/${domain}"`);
      // Sending with the configuration set is authorised on it too, and only on this one.
      expect(resources).toContain(`":configuration-set/",{"Ref":"${logicalId(stack, stack.mailer.configurationSet)}"}`);
      expect(resources).toContain(`"arn:${partitionOf(config.region)}:ses:${config.region}:"`);
    }
  });

  it('grants nothing on "*" but X-Ray tracing to every function, and dynamodb:ListStreams to the stream consumers alone', () => {
    // Prepare
    const expected = Object.fromEntries(
      names.map((name) => [name, [[...XRAY_ACTIONS, ...(readsStream(name) ? ['dynamodb:ListStreams'] : [])].toSorted()]]),
    );

    // Act
    const wildcard = Object.values(resourcesOf('AWS::IAM::Policy'))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter(isOnEverything);
    const perFunction = Object.fromEntries(names.map((name) => [name, statementsOf(name).filter(isOnEverything).map(actionsOf).toSorted(byJson)]));

    // Assess
    expect(names.filter(readsStream).toSorted()).toEqual(['publish-events', 'send-invitation-emails']);
    expect(perFunction).toEqual(expected);
    // `minimizePolicies` merges what a role may do on "*" into one statement.
    expect(wildcard).toHaveLength(names.length);
    expect(wildcard.every((statement) => statement.Effect === 'Allow' && statement.Condition === undefined)).toBe(true);
  });

  it('lets only the outbox relay publish events, and only to the default bus of its own region and partition', () => {
    // Act
    const events = Object.fromEntries(
      names.map((name) => [name, statementsOf(name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')))]),
    );

    // Assess
    expect(events).toEqual(
      Object.fromEntries(
        names.map((name) => [name, consumesStream(name) ? [{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: defaultBusArn(config.region) }] : []]),
      ),
    );
  });

  it('lets a function send messages only to the dead-letter queue, and only if it can fail asynchronously or on the stream', () => {
    // Prepare
    const deadLetters = { 'Fn::GetAtt': [logicalId(stack, stack.deadLetters.queue), 'Arn'] };

    // Act
    const sqs = Object.fromEntries(
      names.map((name) => [name, statementsOf(name).filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')))]),
    );

    // Assess
    for (const name of names) {
      const statements = sqs[name] ?? [];
      if (!isAsync(name) && !readsStream(name)) {
        expect(statements, name).toEqual([]);
        continue;
      }
      expect(statements.flatMap(actionsOf), name).toContain('sqs:SendMessage');
      for (const statement of statements) {
        expect(statement.Resource, name).toEqual(deadLetters);
        expect(actionsOf(statement).every((action) => ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].includes(action)), name).toBe(true);
      }
    }
  });
});

describe('the functions', () => {
  it('deploys one function per catalogue entry and nothing else', () => {
    template.resourceCountIs('AWS::Lambda::Function', names.length);
    expect(Object.keys(stack.functions).toSorted()).toEqual(names.toSorted());
  });

  it('bundles every function in the catalogue the way the stack does, as ESM for the Node.js 22 it runs on', async () => {
    // Act
    const result = await build({
      ...ESBUILD_OPTIONS,
      entryPoints: names.map((name) => join(REPO_ROOT, 'functions', `${name}.ts`)),
      sourcemap: false,
      outdir: join(tmpdir(), 'bundle-check'),
      write: false,
    });

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.outputFiles.map((file) => file.path.split('/').at(-1)).toSorted()).toEqual(names.map((name) => `${name}.js`).toSorted());
    expect(BUNDLING.target).toBe('node22');
    expect(ESBUILD_OPTIONS.format).toBe(BUNDLING.format);
    for (const name of names) expect(`node${String(functionProperties(name).Runtime).match(/^nodejs(\d+)\.x$/)?.[1]}`, name).toBe(BUNDLING.target);
  });

  it.each(names)('runs %s on the pinned nodejs22.x on arm64 with its own log group kept for 30 days, and tracing', (name) => {
    // Act
    const fn = functionProperties(name);

    // Assess
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: scheduledFunctions.includes(name) || specOf(name).sendsQueuedEmails === true ? 300 : 10,
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
    });
    const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(propertiesOf('AWS::Logs::LogGroup', logGroupId)).toMatchObject({ RetentionInDays: 30 });
  });

  it.each(names)('gives %s the configuration it reads at cold start, including where its metrics go', (name) => {
    // Prepare
    const apiEndpoint = { 'Fn::GetAtt': [logicalId(stack, stack.api.httpApi), 'ApiEndpoint'] };

    // Act
    const env = functionProperties(name).Environment as { Variables: Json };

    // Assess
    expect(env.Variables).toEqual({
      TABLE_NAME: { Ref: tableId },
      PUBLIC_BASE_URL: apiEndpoint,
      SENDER_EMAIL: 'no-reply@partner-relationships.example.com',
      INVITATION_TTL_DAYS: '90',
      INVITATION_QUOTA_PER_DAY: '100',
      POWERTOOLS_SERVICE_NAME: 'partner-relationships',
      POWERTOOLS_METRICS_NAMESPACE: 'PartnerRelationships',
      ...(isIdempotent(name) ? { IDEMPOTENCY_TABLE_NAME: { Ref: idempotencyId } } : {}),
      ...(specOf(name).sendsEmail === true ? { SES_CONFIGURATION_SET: { Ref: logicalId(stack, stack.mailer.configurationSet) } } : {}),
      ...(consumesStream(name) ? { EVENT_BUS_NAME: 'default' } : {}),
      ...(specOf(name).usesSignIn === true
        ? {
            OIDC_ISSUER: { 'Fn::Join': ['', [`https://cognito-idp.${config.region}.`, { Ref: 'AWS::URLSuffix' }, '/', { Ref: logicalId(stack, stack.api.userPool) }]] },
            OIDC_CLIENT_ID: { Ref: logicalId(stack, stack.signIn.client) },
          }
        : {}),
    });
  });

  it.each(names)('keeps the failed asynchronous events of %s, if it has any, in the dead-letter queue', (name) => {
    // Act
    const deadLetters = functionProperties(name).DeadLetterConfig;

    // Assess
    expect(deadLetters).toEqual(isAsync(name) ? { TargetArn: { 'Fn::GetAtt': [logicalId(stack, stack.deadLetters.queue), 'Arn'] } } : undefined);
  });

  it('runs the cleanup function every 15 minutes, retrying twice and keeping undeliverable events', () => {
    // Prepare
    const cleanupIds = scheduledFunctions.map((name) => logicalId(stack, stack.functions[name]));

    // Act
    const rules = Object.values(resourcesOf('AWS::Events::Rule'));

    // Assess
    expect(cleanupIds).toHaveLength(1);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [cleanupIds[0], 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack, stack.deadLetters.queue), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [cleanupIds[0], 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });
});

describe('the events outbox', () => {
  const publishers = names.filter(consumesStream);
  const deadLettersArn = (): unknown => ({ 'Fn::GetAtt': [logicalId(stack, stack.deadLetters.queue), 'Arn'] });

  it('relays the stream to one function, publish-events, which no route and no schedule call', () => {
    // Act
    const mappings = Object.values(resourcesOf('AWS::Lambda::EventSourceMapping'));

    // Assess
    expect(publishers).toEqual(['publish-events']);
    expect(routed.has('publish-events')).toBe(false);
    expect(scheduledFunctions).not.toContain('publish-events');
    expect(mappings.map((mapping) => mapping.Properties.FunctionName).filter((fn) => JSON.stringify(fn) !== JSON.stringify({ Ref: logicalId(stack, stack.functions['send-invitation-emails']) }))).toEqual([
      { Ref: logicalId(stack, stack.functions['publish-events']) },
    ]);
  });

  it('reads the stream from its oldest record, reports failed records, bisects a failing batch and parks what it gives up on in the dead-letter queue', () => {
    // Act
    const mapping = Object.values(resourcesOf('AWS::Lambda::EventSourceMapping')).find(
      (candidate) => JSON.stringify(candidate.Properties.FunctionName) === JSON.stringify({ Ref: logicalId(stack, stack.functions['publish-events']) }),
    );
    const { FilterCriteria: _filters, ...properties } = mapping?.Properties ?? {};

    // Assess
    expect(properties).toEqual({
      FunctionName: { Ref: logicalId(stack, stack.functions['publish-events']) },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      // The local stream poller dead-letters a record after the same number of retries.
      MaximumRetryAttempts: STREAM_DELIVERY.retryAttempts,
      MaximumRecordAgeInSeconds: 12 * 60 * 60,
      DestinationConfig: { OnFailure: { Destination: deadLettersArn() } },
    });
  });

  it('hands the function only inserted audit records, not the other writes of the table', () => {
    // Act
    const [mapping] = Object.values(resourcesOf('AWS::Lambda::EventSourceMapping'));
    const filters = (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;

    // Assess
    expect(filters.map((filter) => JSON.parse(filter.Pattern) as unknown)).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['AUDIT'] } } } },
    ]);
  });

  it('lets publish-events read the stream, decrypt it through DynamoDB, put events on the default bus and park records, and nothing else', () => {
    // Prepare
    const logGroup = (functionProperties('publish-events').LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    const expected = [
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
      { Effect: 'Allow', Action: ['dynamodb:ListStreams', ...XRAY_ACTIONS], Resource: '*' },
      { Effect: 'Allow', Action: STREAM_READ_ACTIONS, Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] } },
      keyStatement(false),
      { Effect: 'Allow', Action: ['events:PutEvents'], Resource: defaultBusArn(config.region) },
      // The function's own dead-letter queue and the event source mapping's on-failure destination, in one.
      { Effect: 'Allow', Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: deadLettersArn() },
    ].toSorted(byJson);

    // Act
    const granted = statementsOf('publish-events').toSorted(byJson);

    // Assess
    expect(granted).toEqual(expected);
  });
});

describe('operations', () => {
  /** Alarm properties by their CloudFormation id. */
  const alarmsById = (): Record<string, Json> =>
    Object.fromEntries(Object.entries(resourcesOf('AWS::CloudWatch::Alarm')).map(([id, alarm]) => [id, alarm.Properties]));
  const alarmOf = (construct: Parameters<typeof logicalId>[1]): Json => alarmsById()[logicalId(stack, construct)] ?? {};
  const topic = (): Json => ({ Ref: logicalId(stack, stack.monitoring.topic) });

  it('raises an alarm on any 5xx from the HTTP API', () => {
    expect(alarmOf(stack.monitoring.alarms.api5xx)).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack, stack.api.httpApi) } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it.each(names)('raises an alarm when %s fails or is throttled', (name) => {
    // Prepare
    const fn = { Ref: logicalId(stack, stack.functions[name]) };

    // Act
    const errors = alarmOf(stack.monitoring.alarms.functionErrors[name]);
    const throttles = alarmOf(stack.monitoring.alarms.functionThrottles[name]);

    // Assess
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: fn }], Threshold: 1 });
    expect(throttles).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: fn }], Threshold: 1 });
  });

  it('raises an alarm when the event publisher falls 15 minutes behind the table stream', () => {
    const consumers = names.filter(readsStream);
    expect(consumers.toSorted()).toEqual(['publish-events', 'send-invitation-emails']);
    expect(Object.keys(stack.monitoring.alarms.streamIteratorAge)).toEqual(consumers);
    expect(alarmOf(stack.monitoring.alarms.streamIteratorAge['publish-events']!)).toMatchObject({
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 15 * 60 * 1000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('raises an alarm when an event lands in the dead-letter queue', () => {
    expect(alarmOf(stack.monitoring.alarms.deadLetters)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, stack.deadLetters.queue), 'QueueName'] } }],
    });
  });

  it('raises an alarm when acceptance links are tried with wrong secrets at a rate no person makes, instead of locking them', () => {
    expect(alarmOf(stack.monitoring.alarms.wrongSecrets)).toMatchObject({
      Namespace: 'PartnerRelationships',
      MetricName: 'AcceptanceLinkWrongSecret',
      Dimensions: [{ Name: 'service', Value: 'partner-relationships' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 25,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('tells the alarm topic when any alarm fires and when it clears, under a name that says which stack', () => {
    // Act
    const alarms = Object.values(alarmsById());

    // Assess
    // errors and throttles per function, API 5xx, dead letters, wrong secrets, each stream consumer's iterator age, SES bounce and complaint rates
    expect(alarms).toHaveLength(2 * names.length + 3 + names.filter(readsStream).length + 2);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topic()]);
      expect(alarm.OKActions).toEqual([topic()]);
      expect(alarm.AlarmName).toMatch(new RegExp(`^${stack.stackName}-`));
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it('takes alarm messages only over TLS, from CloudWatch alarms of this account', () => {
    // Act
    const alarmTopicId = logicalId(stack, stack.monitoring.topic);
    const policies = Object.values(resourcesOf('AWS::SNS::TopicPolicy')).filter((p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: alarmTopicId }]));
    const [policy, ...others] = policies;
    const statements = (policy?.Properties.PolicyDocument as { Statement: Json[] }).Statement;

    // Assess
    expect(others).toEqual([]);
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
      }),
    ]);
    // The email events' topic has the one subscription of its own: record-email-events.
    template.resourceCountIs('AWS::SNS::Subscription', 1);
  });

  it('emails the alarms to the operator when asked to', () => {
    // Act
    const { stack: withEmail, template: emailing } = synthesize({ alarmEmail: 'operators@example.com' });

    // Assess
    emailing.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'operators@example.com',
      TopicArn: { Ref: logicalId(withEmail, withEmail.monitoring.topic) },
    });
  });

  it('charts invitations created, accepted, declined and expired from the functions’ own metrics', () => {
    // Act
    const invitations = dashboardWidgets().find((widget) => widget.properties.title === 'Invitations');

    // Assess
    expect(invitations?.properties.metrics).toEqual(
      INVITATION_METRICS.map((metric) => ['PartnerRelationships', metric, 'service', 'partner-relationships', { period: 3600, stat: 'Sum' }]),
    );
    expect(INVITATION_METRICS).toEqual(['InvitationsCreated', 'InvitationsAccepted', 'InvitationsDeclined', 'InvitationsExpired']);
  });

  it('charts API 4xx, 5xx and latency and every function’s errors', () => {
    // Act
    const charted = dashboardWidgets().flatMap((widget) => widget.properties.metrics.map((metric) => `${String(metric[0])} ${String(metric[1])}`));
    const functionErrors = dashboardWidgets()
      .flatMap((widget) => widget.properties.metrics)
      .filter((metric) => metric[1] === 'Errors')
      .map((metric) => (metric.at(-1) as { label: string }).label);

    // Assess
    expect(charted).toEqual(expect.arrayContaining(['AWS/ApiGateway 4xx', 'AWS/ApiGateway 5xx', 'AWS/ApiGateway Latency']));
    expect(functionErrors.toSorted()).toEqual(names.toSorted());
  });
});

describe('the deployment', () => {
  const clouds: readonly (readonly [Cloud, string])[] = [
    ['public', 'us-east-1'],
    ['usgov', 'us-gov-west-1'],
    ['germany', 'eu-central-1'],
  ];

  it('writes every ARN in the partition of the region it deploys to, and no partition lookup', () => {
    const json = JSON.stringify(template.toJSON());
    expect(new Set([...json.matchAll(/"arn:([a-z-]+):/g)].map((match) => match[1]))).toEqual(new Set([partitionOf(config.region)]));
    expect(json).not.toContain('AWS::Partition');
  });

  it('tells the operator the API URL, user pool, app client, table, alarm topic and dashboard', () => {
    // Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(outputs).toMatchObject({
      ApiUrl: { Value: { 'Fn::GetAtt': [logicalId(stack, stack.api.httpApi), 'ApiEndpoint'] } },
      UserPoolId: { Value: { Ref: logicalId(stack, stack.api.userPool) } },
      UserPoolClientId: { Value: { Ref: logicalId(stack, stack.api.userPoolClient) } },
      TableName: { Value: { Ref: tableId } },
      AlarmTopicArn: { Value: { Ref: logicalId(stack, stack.monitoring.topic) } },
      DashboardName: { Value: { Ref: logicalId(stack, stack.monitoring.dashboard) } },
    });
  });

  it.each(clouds)('deploys an isolated %s copy to %s, with ARNs, issuer and key use built from its own region and partition', (cloud, region) => {
    // Act
    const other = synthesize({ cloud });
    const json = JSON.stringify(other.template.toJSON());
    const sender = other.config.senderEmail;
    const partition = partitionOf(region);
    const sesIdentity = (identity: string): unknown => ({
      'Fn::Join': ['', [`arn:${partition}:ses:${region}:`, { Ref: 'AWS::AccountId' }, `:identity/${identity}`]],
    });
    const configurationSet = {
      'Fn::Join': ['', [`arn:${partition}:ses:${region}:`, { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: logicalId(other.stack, other.stack.mailer.configurationSet) }]],
    };

    // Assess
    expect(other.stack.region).toBe(region);
    expect(other.stack.stackName).toBe(`PartnerRelationships-${cloud}`);
    expect(new Set([...json.matchAll(/"arn:([a-z-]+):/g)].map((match) => match[1]))).toEqual(new Set([partition]));
    for (const [, elsewhere] of clouds.filter(([, r]) => r !== region)) expect(json).not.toContain(elsewhere);
    other.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', [`https://cognito-idp.${region}.amazonaws.com/`, { Ref: logicalId(other.stack, other.stack.api.userPool) }]] },
      },
    });
    other.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ses:SendEmail', 'ses:SendRawEmail'],
            // `minimizePolicies` sorts the resources.
            Resource: [sesIdentity(sender), sesIdentity(sender.split('@')[1] ?? ''), configurationSet].toSorted(byJson),
          }),
        ]),
      },
    });
    other.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: defaultBusArn(region) }]) },
    });
    expect(partition).toBe(cloud === 'usgov' ? 'aws-us-gov' : 'aws');
    other.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', [`arn:${partition}:iam::`, { Ref: 'AWS::AccountId' }, ':root']] } } })] },
    });
    expect(json).toContain(`"dynamodb.${region}."`);
    other.template.resourceCountIs('AWS::Lambda::Function', names.length);
  });

  it('gives each cloud its own stack name, sender address and throttling', () => {
    // Act
    const configs = clouds.map(([cloud]) => loadConfig(newApp({ cloud }).node));

    // Assess
    expect(new Set(configs.map((c) => c.stackName)).size).toBe(clouds.length);
    expect(new Set(configs.map((c) => c.senderEmail)).size).toBe(clouds.length);
    expect(configs.map((c) => c.throttle)).toEqual([
      { rateLimit: 50, burstLimit: 100 },
      { rateLimit: 20, burstLimit: 40 },
      { rateLimit: 25, burstLimit: 50 },
    ]);
    expect(configs.map((c) => c.threatProtection)).toEqual([true, false, true]);
  });

  it('links emails to a custom domain and sender, and applies the invitation lifetime and daily quota, when the operator asks for them', () => {
    // Act
    const custom = synthesize({
      cloud: 'germany',
      publicBaseUrl: 'https://partners.example.de/',
      senderEmail: 'invite@example.de',
      invitationTtlDays: '30',
      invitationQuotaPerDay: '7',
      throttleRateLimit: '5',
      throttleBurstLimit: '10',
    });
    const envOf = (name: FunctionName): Json =>
      (propertiesOf('AWS::Lambda::Function', logicalId(custom.stack, custom.stack.functions[name]), custom.template).Environment as { Variables: Json }).Variables;

    // Assess
    expect(custom.config.invitationQuotaPerDay).toBe(7);
    for (const name of names) {
      expect(envOf(name), name).toMatchObject({
        PUBLIC_BASE_URL: 'https://partners.example.de',
        SENDER_EMAIL: 'invite@example.de',
        INVITATION_TTL_DAYS: '30',
        INVITATION_QUOTA_PER_DAY: '7',
      });
    }
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 },
    });
  });

  it('lets a dev copy be torn down: its own stack name, no deletion protection, nothing retained', () => {
    // Act
    const dev = synthesize({ cloud: 'public', stage: 'dev' });
    const resources = Object.values(dev.template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>);

    // Assess
    expect(dev.stack.stackName).toBe('PartnerRelationships-public-dev');
    expect(propertiesOf('AWS::DynamoDB::Table', tableWithKeys(MAIN_KEY_SCHEMA, dev.template), dev.template).DeletionProtectionEnabled).toBe(false);
    expect(propertiesOf('AWS::DynamoDB::Table', tableWithKeys(IDEMPOTENCY_KEY_SCHEMA, dev.template), dev.template).DeletionProtectionEnabled).toBeUndefined();
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
    expect(resources.filter((resource) => resource.DeletionPolicy === 'Retain').map((resource) => resource.Type)).toEqual([]);
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Cognito::UserPool', 'AWS::Logs::LogGroup']) {
      expect(resources.filter((resource) => resource.Type === type).every((resource) => resource.DeletionPolicy === 'Delete'), type).toBe(true);
    }
  });

  it('protects and keeps the data of a production copy: table, key and user pool, but not the idempotency records that expire within a day', () => {
    // Act
    const resources = Object.values(template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>);
    const tables = resourcesOf('AWS::DynamoDB::Table');

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'ACTIVE' });
    for (const type of ['AWS::KMS::Key', 'AWS::Cognito::UserPool']) {
      expect(resources.filter((resource) => resource.Type === type).map((resource) => resource.DeletionPolicy), type).toEqual(['Retain']);
    }
    expect(Object.fromEntries(Object.entries(tables).map(([id, table]) => [id, [table.DeletionPolicy, table.Properties.DeletionProtectionEnabled]]))).toEqual({
      [tableId]: ['Retain', true],
      [idempotencyId]: ['Delete', undefined],
    });
  });
});

describe('the deployment config', () => {
  const configFor = (context: Json): DeploymentConfig => loadConfig(newApp(context).node);

  it('deploys a production copy to the public cloud by default, with a 90-day invitation, 100 invitations a day and a 15-minute cleanup', () => {
    // Act
    const defaults = configFor({});

    // Assess
    expect(defaults).toMatchObject({
      cloud: 'public',
      stage: 'production',
      region: 'us-east-1',
      stackName: 'PartnerRelationships-public',
      senderEmail: 'no-reply@partner-relationships.example.com',
      publicBaseUrl: undefined,
      alarmEmail: undefined,
      invitationTtlDays: 90,
      invitationQuotaPerDay: 100,
    });
    expect(defaults.cleanupRate.toMinutes()).toBe(15);
  });

  it('refuses an unknown cloud or stage instead of deploying somewhere unexpected', () => {
    expect(() => configFor({ cloud: 'china' })).toThrow(/Unknown cloud "china".*public\|usgov\|germany/);
    expect(() => configFor({ stage: 'prod' })).toThrow(/Unknown stage "prod".*production\|dev/);
  });

  it('refuses settings that would break the emails, the alarms, the quota, the schedule or the throttling', () => {
    expect(() => configFor({ senderEmail: 'not-an-email' })).toThrow(/senderEmail/);
    expect(() => configFor({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
    expect(() => configFor({ publicBaseUrl: 'http://insecure.example.com' })).toThrow(/publicBaseUrl/);
    expect(() => configFor({ invitationTtlDays: '0' })).toThrow(/invitationTtlDays/);
    expect(() => configFor({ invitationQuotaPerDay: '0' })).toThrow(/invitationQuotaPerDay/);
    expect(() => configFor({ invitationQuotaPerDay: '2.5' })).toThrow(/invitationQuotaPerDay/);
    expect(() => configFor({ cleanupRateMinutes: 'often' })).toThrow(/cleanupRateMinutes/);
    expect(() => configFor({ throttleRateLimit: '-1' })).toThrow(/throttleRateLimit/);
  });
});

describe('construct ids', () => {
  it('names each function after its catalogue entry, so logical ids stay stable', () => {
    expect(names.map(constructId)).toEqual(names.map((name) => stack.functions[name].node.id));
    expect(constructId('create-invitation')).toBe('CreateInvitation');
  });
});

describe('the feature flags in cdk.json', () => {
  /** A template value with `AWS::Partition` references written out, as `@aws-cdk/core:enablePartitionLiterals` writes them. */
  function withPartitionLiteral(value: unknown, partition: string): unknown {
    if (Array.isArray(value)) return value.map((item) => withPartitionLiteral(item, partition));
    if (typeof value !== 'object' || value === null) return value;
    if (isDeepStrictEqual(value, { Ref: 'AWS::Partition' })) return partition;
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join !== undefined && join[0] === '') {
      const parts: unknown[] = [];
      for (const part of join[1].map((item) => withPartitionLiteral(item, partition))) {
        if (typeof part === 'string' && typeof parts.at(-1) === 'string') parts[parts.length - 1] = `${String(parts.at(-1))}${part}`;
        else parts.push(part);
      }
      return { 'Fn::Join': ['', parts] };
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPartitionLiteral(item, partition)]));
  }

  it('carries every flag the CDK version in use recommends, as a new app gets them, keeping the partitions the stack deploys to', () => {
    // Prepare
    const recommended = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Json;
    // Act
    const { '@aws-cdk/core:target-partitions': partitions, ...flags } = cdkJsonContext;
    const { '@aws-cdk/core:target-partitions': _recommendedPartitions, ...recommendedFlags } = recommended;
    // Assess
    expect(flags).toEqual(recommendedFlags);
    expect(partitions).toEqual(['aws', 'aws-us-gov']);
    expect(stack.node.tryGetContext('@aws-cdk/aws-iam:minimizePolicies')).toBe(true);
  });

  it("merges each role's statements (minimizePolicies) and writes partitions literally, without changing what any role may do", () => {
    // Prepare
    const plain = synthesize({ cloud: 'public' }, false, false);
    const partition = partitionOf(config.region);
    // Act
    const before = Object.fromEntries(names.map((name) => [name, (withPartitionLiteral(statementsOf(name, plain), partition) as Statement[]).toSorted(byJson)]));
    const after = Object.fromEntries(names.map((name) => [name, statementsOf(name).toSorted(byJson)]));
    const count = (from?: { stack: PartnerRelationshipsStack; template: Template }) => names.reduce((sum, name) => sum + rawStatementsOf(name, from).length, 0);
    // Assess
    expect(after).toEqual(before);
    expect(count()).toBeLessThan(count(plain));
    expect(JSON.stringify(plain.template.toJSON())).toContain('{"Ref":"AWS::Partition"}');
    expect(JSON.stringify(template.toJSON())).not.toContain('AWS::Partition');
  });
});
