import { Stack } from 'aws-cdk-lib';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface MailerProps {
  /** The verified SES sender; both it and its domain are accepted as the sending identity. */
  readonly senderEmail: string;
}

/**
 * The SES sender the invitation emails come from, and the configuration set every email is sent
 * with (reputation metrics on; no open or click tracking, which would rewrite the acceptance link);
 * grants sending only as that identity with that set, never on `*`.
 */
export class Mailer extends Construct {
  readonly senderEmail: string;
  readonly configurationSet: ConfigurationSet;
  /** The email-address identity and its domain identity, partition-agnostic. */
  readonly identityArns: readonly string[];

  constructor(scope: Construct, id: string, props: MailerProps) {
    super(scope, id);
    const domain = props.senderEmail.slice(props.senderEmail.lastIndexOf('@') + 1);
    const stack = Stack.of(this);
    this.senderEmail = props.senderEmail;
    this.identityArns = [props.senderEmail, domain].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true, sendingEnabled: true });
  }

  /** Lets `grantee` send email as the sender identity, with the configuration set (SES authorises both). */
  grantSend(grantee: IGrantable): void {
    const configurationSetArn = Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [...this.identityArns, configurationSetArn] }),
    );
  }
}
