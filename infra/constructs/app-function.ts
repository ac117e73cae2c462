import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName, TableGrant } from '../routes.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../shared/observability.js';

/** The repository root: the esbuild project root and home of `functions/` and the lock file. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export { METRICS_NAMESPACE, SERVICE_NAME } from '../../shared/observability.js';

/** How long function and access logs are kept. */
export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/**
 * Module replacements in every bundle (paths relative to REPO_ROOT), each for code the functions
 * can never run in Lambda: the SDK's default credential chain becomes the one link Lambda uses,
 * the environment; `semver` serves only X-Ray's SDK v2 patcher. See shared/aliases/.
 */
export const BUNDLE_ALIASES = {
  '@aws-sdk/credential-provider-node': './shared/aliases/credentials.ts',
  semver: './shared/aliases/semver.ts',
} as const;

/** How every function is bundled: minified ESM for Node.js 22 (the runtime below) with source maps, the AWS SDK included so the deployed code runs the versions the lock file pins. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [],
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
  // esbuild says only what is wrong: `cdk synth --quiet` stays quiet, and `npm run synth` prints the sizes itself.
  logLevel: LogLevel.WARNING,
} as const satisfies BundlingOptions;

/**
 * The esbuild options NodejsFunction derives from BUNDLING (bundle, node platform, ESM, minified,
 * external source map), for checks and measurements that build a function the way it is deployed.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLING.target,
  mainFields: [...BUNDLING.mainFields],
  banner: { js: BUNDLING.banner },
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  sourcesContent: BUNDLING.sourcesContent,
  external: [...BUNDLING.externalModules],
  alias: { ...BUNDLE_ALIASES },
  absWorkingDir: REPO_ROOT,
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** DynamoDB actions that only read, so the table key is needed only to decrypt. */
const READ_ACTIONS = new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable']);
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * How the function is invoked: only synchronously (API Gateway, whose caller sees the failure), or asynchronously
 * (a schedule, an event), where a failed event would be lost without a dead-letter queue.
 */
export type Invocation = { readonly kind: 'sync' } | { readonly kind: 'async'; readonly deadLetterQueue: IQueue };

export interface AppFunctionProps {
  /** The catalogue name; the entry is `functions/<name>.ts`. */
  readonly name: FunctionName;
  readonly description: string;
  readonly invocation: Invocation;
  /** @default 10 seconds */
  readonly timeout?: Duration;
}

/**
 * A `NodejsFunction` with the project's defaults (Node 22 on arm64, minified ESM with source maps, X-Ray, Powertools
 * service and metrics namespace) and a role of its own that may write only to the function's own log group.
 */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: LOG_RETENTION });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.name} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(REPO_ROOT, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      // The product pins nodejs22.x: the code is built and tested on Node 20 and 22 (see README).
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      ...(props.invocation.kind === 'async' ? { deadLetterQueue: props.invocation.deadLetterQueue } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // No NODE_OPTIONS=--enable-source-maps: it parses the ~1 MB map at every cold start. The map
        // ships beside the code and shared/stack-traces.ts reads it only when a stack is logged.
      },
      bundling: BUNDLING,
    });
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the X-Ray statement Lambda adds for active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    for (const id of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      Validations.of(this.node.defaultChild as CfnFunction).acknowledge({
        id,
        reason: 'The product pins the nodejs22.x runtime (a supported LTS until 2027-04): the code and its tests target Node 20 and 22; moving to 24 is a deliberate, tested change.',
      });
    }
    if (props.invocation.kind === 'sync') {
      Validations.of(this.node.defaultChild as CfnFunction).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked only synchronously by API Gateway: a dead-letter queue applies to asynchronous invocations alone, and a failure reaches the caller as a 5xx and the Errors alarm.',
      });
    }
  }

  /**
   * Grants exactly the catalogue's DynamoDB actions (on the table, or on one index) and passes the table name; never
   * the broad `grantReadData` family. If the table has its own key, also grants its use through DynamoDB only:
   * decrypting for readers, encrypting too for writers.
   */
  bindTable(table: ITable, grants: readonly TableGrant[]): void {
    this.grantTable(table, grants);
    this.addEnvironment('TABLE_NAME', table.tableName);
  }

  /** Lets the function keep Powertools idempotency records: item reads and writes on that table alone. */
  bindIdempotency(table: ITable): void {
    this.grantTable(table, [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] }]);
    this.addEnvironment('IDEMPOTENCY_TABLE_NAME', table.tableName);
  }

  private grantTable(table: ITable, grants: readonly TableGrant[]): void {
    for (const grant of grants) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: [...grant.actions],
          resources: [grant.index === undefined ? table.tableArn : `${table.tableArn}/index/${grant.index}`],
        }),
      );
    }
    if (table.encryptionKey !== undefined && grants.length > 0) {
      const writes = grants.some((grant) => grant.actions.some((action) => !READ_ACTIONS.has(action)));
      const stack = Stack.of(this);
      this.addToRolePolicy(
        new PolicyStatement({
          actions: writes ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : KEY_READ_ACTIONS,
          resources: [table.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
  }
}
