import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Cloud, Stage } from '../../infra/config.js';
import { Api } from '../../infra/constructs/api.js';
import { enforceNag, nagFindings } from '../../infra/nag.js';
import { functions as catalogue, readsTableStream, routes } from '../../infra/routes.js';
import type { FunctionName, FunctionSpec, Route } from '../../infra/routes.js';
import type { PartnerRelationshipsStack } from '../../infra/stack.js';
import { SYNTH_TIMEOUT_MS, functionNames, newApp, removeScratch, synthesize } from './synth.js';

const clouds: readonly Cloud[] = ['public', 'usgov', 'germany'];
const stages: readonly Stage[] = ['production', 'dev'];

interface Acknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every rule acknowledged anywhere in the tree, with the construct it was acknowledged on. */
function acknowledgmentsIn(stack: Stack): Acknowledgment[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

afterAll(removeScratch);

describe('cdk-nag, AWS Solutions and Serverless packs', () => {
  it.each(clouds.flatMap((cloud) => stages.map((stage) => [cloud, stage] as const)))(
    'finds nothing unacknowledged in the %s cloud (%s stage)',
    (cloud, stage) => {
      // Prepare
      const { stack } = synthesize({ cloud, stage, alarmEmail: 'operators@example.com' });

      // Act
      const findings = nagFindings(stack);

      // Assess
      expect(findings).toEqual([]);
    },
  );

  it('stops `cdk synth` at a finding nobody acknowledged, and lets the real stack through', () => {
    // Prepare
    const real = synthesize({ cloud: 'germany' });
    enforceNag(real.app);
    const careless = newApp({});
    new Queue(new Stack(careless, 'Careless'), 'PlainQueue');
    enforceNag(careless);

    // Act
    const synthReal = (): unknown => real.app.synth();
    const synthCareless = (): unknown => careless.synth();

    // Assess
    expect(synthReal).not.toThrow();
    expect(synthCareless).toThrow(/AwsSolutions-SQS4/);
  });

  it('lets a new public route through only once someone writes down why it needs no token', () => {
    // Prepare
    const stack = new Stack(new App(), 'Routes');
    const stub = new LambdaFunction(stack, 'Stub', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = () => {};') });
    const functions = Object.fromEntries(functionNames.map((name) => [name, stub])) as Record<FunctionName, LambdaFunction>;
    const unexplained: Route = { method: 'GET', path: '/reports', function: functionNames[0]!, access: 'public' };

    // Act
    const api = new Api(stack, 'Api', {
      routes: [...routes, unexplained],
      functions,
      throttle: { rateLimit: 1, burstLimit: 1 },
      threatProtection: true,
      production: true,
    });
    const unauthorized = nagFindings(api).filter((finding) => finding.rule === 'AwsSolutions-APIG4');

    // Assess
    expect(unauthorized.map((finding) => finding.path)).toEqual(['Routes/Api/HttpApi/GET--reports/Resource']);
  });
});

describe('cdk-nag acknowledgments', () => {
  let stack: PartnerRelationshipsStack;
  let acknowledged: Acknowledgment[];
  const onPath = (path: string, id: string): string[] =>
    acknowledged.filter((ack) => ack.path === path && ack.id === id).map((ack) => ack.reason);

  beforeAll(() => {
    ({ stack } = synthesize({ cloud: 'usgov', alarmEmail: 'operators@example.com' }));
    acknowledged = acknowledgmentsIn(stack);
  }, SYNTH_TIMEOUT_MS);

  it('acknowledges each finding on the resource it concerns, never on the whole stack, with a reason of its own', () => {
    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(path, id).not.toBe(stack.node.path);
      expect(id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      expect(reason.length, `${id} on ${path}`).toBeGreaterThan(60);
    }
    const publicRoutes = routes.filter((route) => route.access === 'public').length;
    expect(acknowledged.filter((ack) => ack.id === 'AwsSolutions-APIG4')).toHaveLength(publicRoutes);
    expect(new Set(acknowledged.filter((ack) => ack.id === 'Serverless-LambdaDLQ').map((ack) => ack.path.split('/')[1]))).toEqual(
      new Set(functionNames.filter((name) => stack.functions[name].deadLetterQueue === undefined).map((name) => stack.functions[name].node.id)),
    );
  });

  it('acknowledges the pinned nodejs22.x runtime on each function itself, saying why, and nowhere else', () => {
    // Prepare
    const rules = ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'];
    const functionPaths = functionNames.map((name) => (stack.functions[name].node.defaultChild as CfnFunction).node.path);

    // Act
    const runtimeAcks = acknowledged.filter((ack) => rules.includes(ack.id));

    // Assess
    expect(runtimeAcks.map((ack) => `${ack.path} ${ack.id}`).toSorted()).toEqual(functionPaths.flatMap((path) => rules.map((id) => `${path} ${id}`)).toSorted());
    for (const { path, id, reason } of runtimeAcks) {
      expect(reason, `${id} on ${path}`).toMatch(/nodejs22\.x/);
      expect(reason, `${id} on ${path}`).toMatch(/Node 20 and 22/);
    }
  });

  it('acknowledges permissions on "*" only on the functions\' own policies: X-Ray for all, and dynamodb:ListStreams for the stream consumer alone', () => {
    // Prepare
    const rule = 'AwsSolutions-IAM5[Resource::*]';
    const policyPathOf = (name: FunctionName): string => stack.functions[name].role!.node.findChild('DefaultPolicy').node.path;
    const consumesStream = (name: FunctionName): boolean => readsTableStream(catalogue[name] as FunctionSpec);

    // Act
    const wildcardAcks = acknowledged.filter((ack) => ack.id.startsWith('AwsSolutions-IAM5'));

    // Assess
    expect(new Set(wildcardAcks.map((ack) => `${ack.path} ${ack.id}`))).toEqual(new Set(functionNames.map((name) => `${policyPathOf(name)} ${rule}`)));
    for (const name of functionNames) {
      const reasons = onPath(policyPathOf(name), rule).join(' ');
      expect(reasons, name).toMatch(/X-Ray/);
      if (consumesStream(name)) expect(reasons, name).toMatch(/dynamodb:ListStreams/);
      else expect(reasons, name).not.toMatch(/ListStreams/);
    }
    expect(functionNames.filter(consumesStream).toSorted()).toEqual(['publish-events', 'send-invitation-emails']);
  });
});
