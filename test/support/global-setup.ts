/** Starts DynamoDB Local (in memory) and the SES stand-in once, on free ports, for every test file. */
import type { TestProject } from 'vitest/node';
import { freePort, startDynamoDbLocal, startSesStandIn } from '../../infra/local/processes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    sesEndpoint: string;
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamodb, ses] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startSesStandIn({ port })),
  ]);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await Promise.all([dynamodb.stop(), ses.stop()]);
  };
}
