import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionName, TableGrant } from '../routes.js';

/** The repository root: the esbuild project root and home of `functions/` and the lock file. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const SERVICE_NAME = 'partner-relationships';

export interface AppFunctionProps {
  /** The catalogue name; the entry is `functions/<name>.ts`. */
  readonly name: FunctionName;
  readonly description: string;
  /** @default 10 seconds */
  readonly timeout?: Duration;
}

/** A `NodejsFunction` with the project's defaults (Node 22 on arm64, minified ESM with source maps, own log group, X-Ray), so every handler is deployed the same way. */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id, {
      entry: join(REPO_ROOT, 'functions', `${props.name}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too, so the deployed code runs the versions the lock file pins.
        externalModules: [],
      },
    });
  }

  /** Grants exactly the catalogue's DynamoDB actions (on the table, or on one index) and passes the table name; never the broad `grantReadData` family. */
  bindTable(table: ITable, grants: readonly TableGrant[]): void {
    for (const grant of grants) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: [...grant.actions],
          resources: [grant.index === undefined ? table.tableArn : `${table.tableArn}/index/${grant.index}`],
        }),
      );
    }
    this.addEnvironment('TABLE_NAME', table.tableName);
  }
}
