/**
 * The customer's policy as a transaction condition: one ConditionCheck on the policy item, used
 * by the create and the accept transactions, so a policy changed at the same moment cannot be
 * raced (DynamoDB decides). When it fails, the stored policy it returns names the rule broken,
 * by the same rules written once more as a plain function beside it.
 */
import { tableName } from '../data/client.js';
import { policyKey } from '../data/keys.js';
import type { TransactionItem } from '../data/transactions.js';
import type { Role } from '../domain/roles.js';
import { SignInRequiredError, UnprocessableError, type AppError } from '../errors.js';
import type { CustomerPolicy } from './model.js';

/** What a policy judges: who approves, for which partner, which roles, how long; on accept, whether the approver signed in. */
export interface PolicyRequest {
  readonly partnerId: string;
  /** The address that approves: the invitation's admin on create; the person accepting on accept. */
  readonly approver: string;
  readonly roles: readonly Role[];
  readonly durationDays: number;
  /** Only on accept: false when accepted from the link alone (then `signIn: "ALWAYS"` refuses it). */
  readonly signedIn?: boolean;
}

/** The rules a policy keeps, in the order a refusal names them. */
export type PolicyRefusal = 'APPROVER_NOT_ALLOWED' | 'PARTNER_NOT_ALLOWED' | 'ROLE_NOT_ALLOWED' | 'DURATION_TOO_LONG' | 'SIGN_IN_REQUIRED';

/** The label of the policy's ConditionCheck in a transaction. */
export const POLICY_REFUSAL = 'POLICY';

/**
 * The ConditionCheck on the customer's policy item that `request` must pass: no policy set, or
 * every rule kept (an empty list restricts nothing). A failure returns the stored policy.
 */
export function policyCheck(customerDomain: string, request: PolicyRequest): TransactionItem<typeof POLICY_REFUSAL> {
  const rules = [
    '(size(#approvers) = :zero OR contains(#approvers, :approver))',
    '(size(#partners) = :zero OR contains(#partners, :partner))',
    ...request.roles.map((_, i) => `NOT contains(#forbidden, :role${i})`),
    '#maxDays >= :days',
    ...(request.signedIn === false ? ['#signIn <> :always'] : []),
  ];
  const values: Record<string, unknown> = {
    ':zero': 0,
    ':approver': request.approver,
    ':partner': request.partnerId,
    ':days': request.durationDays,
    ...Object.fromEntries(request.roles.map((role, i) => [`:role${i}`, role])),
    ...(request.signedIn === false ? { ':always': 'ALWAYS' } : {}),
  };
  return {
    refusal: POLICY_REFUSAL,
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: policyKey(customerDomain),
        ConditionExpression: `attribute_not_exists(PK) OR (${rules.join(' AND ')})`,
        ExpressionAttributeNames: {
          '#approvers': 'approvers',
          '#partners': 'allowedPartners',
          '#forbidden': 'forbiddenRoles',
          '#maxDays': 'maxDurationDays',
          ...(request.signedIn === false ? { '#signIn': 'signIn' } : {}),
        },
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/** The first rule of `policy` that `request` breaks (the same rules as `policyCheck`), or undefined. */
export function policyViolation(policy: Pick<CustomerPolicy, 'approvers' | 'allowedPartners' | 'forbiddenRoles' | 'maxDurationDays' | 'signIn'>, request: PolicyRequest): PolicyRefusal | undefined {
  if (policy.approvers.length > 0 && !policy.approvers.includes(request.approver)) return 'APPROVER_NOT_ALLOWED';
  if (policy.allowedPartners.length > 0 && !policy.allowedPartners.includes(request.partnerId)) return 'PARTNER_NOT_ALLOWED';
  if (request.roles.some((role) => policy.forbiddenRoles.includes(role))) return 'ROLE_NOT_ALLOWED';
  if (request.durationDays > policy.maxDurationDays) return 'DURATION_TOO_LONG';
  if (request.signedIn === false && policy.signIn === 'ALWAYS') return 'SIGN_IN_REQUIRED';
  return undefined;
}

/**
 * The answer to a refusal by the policy's ConditionCheck, named from the policy item DynamoDB
 * returned; `undefined` when that item breaks no rule (it changed again meanwhile: the caller retries or answers a conflict).
 */
export function policyRefusalError(stored: Record<string, unknown> | undefined, request: PolicyRequest): AppError | undefined {
  if (stored === undefined) return undefined;
  const policy = stored as unknown as CustomerPolicy;
  const violation = policyViolation(policy, request);
  const domain = policy.customerDomain;
  switch (violation) {
    case undefined:
      return undefined;
    case 'APPROVER_NOT_ALLOWED':
      return new UnprocessableError(violation, `${domain}'s policy names who may approve requests, and ${request.approver} is not one of them.`);
    case 'PARTNER_NOT_ALLOWED':
      return new UnprocessableError(violation, `${domain}'s policy does not allow requests from ${request.partnerId}.`);
    case 'ROLE_NOT_ALLOWED': {
      const forbidden = request.roles.filter((role) => policy.forbiddenRoles.includes(role));
      return new UnprocessableError(violation, `${domain}'s policy forbids granting ${forbidden.join(', ')}.`);
    }
    case 'DURATION_TOO_LONG':
      return new UnprocessableError(violation, `${domain}'s policy allows at most ${policy.maxDurationDays} days; ${request.durationDays} were asked.`);
    case 'SIGN_IN_REQUIRED':
      return new SignInRequiredError(`${domain}'s policy needs a signed-in admin to accept any request. Sign in, then accept.`);
  }
}
