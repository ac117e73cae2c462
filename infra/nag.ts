import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The cdk-nag packs every stack must pass: AWS Solutions and Serverless. */
export function nagPacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope, { verbose: true }), new ServerlessChecks(scope, { verbose: true })];
}

/** Registers the packs as synthesis-time validation, so `cdk synth` and `cdk deploy` stop on any unacknowledged finding. */
export function enforceNag(app: IConstruct): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

/** One unacknowledged finding: the rule (with its finding id, if any), its severity and the resource's construct path. */
export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** Runs the packs over a construct tree and lists what they find that nobody acknowledged. */
export function nagFindings(scope: IConstruct): NagFinding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'error',
        path: resource.constructPath ?? resource.resourceLogicalId ?? '?',
      })),
    ),
  );
}
