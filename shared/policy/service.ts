/** The customer admin's policy: read it (defaults when none is set) and replace it, audited. */
import { now } from '../clock.js';
import { isWithinDomain } from '../domain/domains.js';
import { ValidationError } from '../errors.js';
import { putAudit } from '../audit/repository.js';
import { logger } from '../log.js';
import type { CustomerPolicy, PolicyInput } from './model.js';
import { findPolicy, writePolicy } from './repository.js';

/** The customer admin who changes the policy: its domain, and its address when the token carries one. */
export interface PolicyEditor {
  readonly customerDomain: string;
  readonly email?: string;
}

/** The customer's policy, or the defaults when it has set none. */
export async function getPolicy(customerDomain: string): Promise<CustomerPolicy> {
  return findPolicy(customerDomain, true);
}

/**
 * Replaces the customer's policy. Approvers must be addresses of the customer's domain (or a
 * subdomain): a link sent anywhere else could never be answered. Notify may be any address.
 * The policy and its `CustomerPolicyChanged` record are written in one transaction.
 */
export async function putPolicy(editor: PolicyEditor, input: PolicyInput): Promise<CustomerPolicy> {
  const { customerDomain } = editor;
  const outside = input.approvers.flatMap((address, i) =>
    isWithinDomain(address.slice(address.lastIndexOf('@') + 1), customerDomain)
      ? []
      : [{ path: `approvers.${i}`, message: `must be an address in ${customerDomain} or one of its subdomains` }],
  );
  if (outside.length > 0) throw new ValidationError('The body is not valid.', outside);
  const at = now().toISOString();
  const policy: CustomerPolicy = { customerDomain, ...input, updatedAt: at, updatedBy: editor.email ?? `customer:${customerDomain}` };
  const { updatedAt: _at, customerDomain: _domain, ...details } = policy;
  const actor = { kind: 'customer', customerDomain, ...(editor.email === undefined ? {} : { email: editor.email }) } as const;
  await writePolicy(policy, putAudit({ type: 'CustomerPolicyChanged', at, actor, customerDomain, details }));
  logger.info('Customer policy changed', { customerDomain });
  return policy;
}
