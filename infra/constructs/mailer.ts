import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface MailerProps {
  /** The verified SES sender; both it and its domain are accepted as the sending identity. */
  readonly senderEmail: string;
}

/** The SES sender the invitation emails come from; grants sending only as that identity, never on `*`. */
export class Mailer extends Construct {
  readonly senderEmail: string;
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
  }

  /** Lets `grantee` send email as the sender identity. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [...this.identityArns] }),
    );
  }
}
