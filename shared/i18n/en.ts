/** English: the source catalogue; its shape is the type every other language must fill. */
import type { Role } from '../domain/roles.js';
import type { PluralForms } from './format.js';
import { pluralise } from './format.js';

type Partner = { readonly partner: string };
type PartnerDomain = { readonly partner: string; readonly domain: string };

/** The codes a page can explain in words; any other code gets the `OTHER` text and shows its code. */
export const PAGE_PROBLEMS = [
  'NOT_FOUND',
  'ALREADY_ACCEPTED',
  'ALREADY_DECLINED',
  'CANCELED',
  'EXPIRED',
  'LINK_REPLACED',
  'CROSS_SITE_REQUEST',
  'SIGN_IN_FAILED',
  'SIGN_IN_REQUIRED',
  'WRONG_ACCOUNT',
  'CONFLICT',
  'RELATIONSHIP_EXISTS',
  'VALIDATION_FAILED',
  'APPROVER_NOT_ALLOWED',
  'PARTNER_NOT_ALLOWED',
  'ROLE_NOT_ALLOWED',
  'DURATION_TOO_LONG',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_PROGRESS',
  'OTHER',
] as const;

export type PageProblem = (typeof PAGE_PROBLEMS)[number];

interface ProblemText {
  readonly headline: string;
  readonly detail: string;
}

/** Everything a language must say: plain strings, plural forms and functions of the values they quote. */
export interface Messages {
  readonly days: PluralForms;
  readonly dateTime: (p: { day: string; time: string }) => string;
  /** A term and what is said of it (`Title: description`), punctuated as the language does. */
  readonly label: (p: { term: string; text: string }) => string;
  /** What separates the items of a run-on list (`A, B`). */
  readonly listSeparator: string;
  readonly roles: Readonly<Record<Role, { readonly title: string; readonly description: string }>>;
  readonly email: {
    readonly subject: (p: PartnerDomain) => string;
    readonly reminderSubject: (p: { subject: string }) => string;
    readonly reminder: (p: { left: string }) => string;
    readonly replacesEarlier: string;
    readonly intro: (p: PartnerDomain) => string;
    readonly rolesHeading: string;
    readonly duration: (p: { duration: string }) => string;
    readonly durationExtended: (p: { duration: string; period: string }) => string;
    readonly openUntil: (p: { time: string }) => string;
    readonly messageFrom: (p: Partner) => string;
    readonly reviewHere: string;
    readonly reviewButton: string;
    readonly safeToOpen: string;
    readonly unexpected: string;
  };
  readonly notice: {
    readonly footer: string;
    readonly partnerId: (p: { name: string; id: string }) => string;
    readonly grantedSubject: (p: PartnerDomain) => string;
    readonly grantedIntro: (p: { who: string; domain: string }) => string;
    readonly rolesGranted: string;
    readonly until: (p: { time: string }) => string;
    readonly untilExtended: (p: { time: string; period: string }) => string;
    readonly approvedBy: (p: { approver: string }) => string;
    readonly approverSignedIn: (p: { email: string; domain: string }) => string;
    readonly approverByLink: (p: { email: string }) => string;
    readonly overlapHeading: string;
    readonly overlapCheck: string;
    readonly endedSubject: (p: PartnerDomain) => string;
    readonly endedIntro: (p: { who: string; domain: string }) => string;
    readonly rolesHeld: string;
    readonly endedAt: (p: { time: string }) => string;
    readonly endedBy: (p: { by: string }) => string;
    readonly byPartner: (p: Partner) => string;
    readonly byCustomer: (p: { domain: string }) => string;
    readonly expiredSubject: (p: PartnerDomain) => string;
    readonly expiredIntro: (p: { who: string; domain: string }) => string;
    readonly byEndDate: string;
    readonly endingSubject: (p: PartnerDomain & { days: string }) => string;
    readonly endingIntro: (p: { who: string; domain: string; days: string; time: string }) => string;
    readonly rolesHolding: string;
    readonly endingNext: string;
  };
  /** What the partner's contact address is told: its request accepted, declined, expired unanswered, or its access ended by the customer. */
  readonly partnerNotice: {
    readonly footer: (p: Partner) => string;
    readonly request: (p: { id: string }) => string;
    readonly acceptedSubject: (p: { domain: string }) => string;
    readonly acceptedIntro: (p: { domain: string }) => string;
    readonly rolesNotGranted: string;
    readonly grantedFor: (p: { duration: string }) => string;
    readonly declinedSubject: (p: { domain: string }) => string;
    readonly declinedIntro: (p: { domain: string }) => string;
    readonly reason: (p: { reason: string }) => string;
    readonly noReason: string;
    readonly rolesRequested: string;
    readonly expiredSubject: (p: { domain: string }) => string;
    readonly expiredIntro: (p: { domain: string; time: string }) => string;
    readonly askAgain: string;
    readonly endedSubject: (p: { domain: string }) => string;
    readonly endedIntro: (p: { domain: string }) => string;
    readonly bouncedSubject: (p: { domain: string }) => string;
    readonly bouncedPermanentIntro: (p: { domain: string; address: string }) => string;
    readonly bouncedTransientIntro: (p: { domain: string; address: string }) => string;
    readonly bouncedAdvice: string;
    readonly complainedIntro: (p: { domain: string; address: string }) => string;
    readonly complainedAdvice: string;
    readonly endingSubject: (p: { domain: string; days: string }) => string;
    readonly endingIntro: (p: { domain: string; days: string; time: string }) => string;
    readonly endingAdvice: string;
  };
  readonly page: {
    readonly requestTitle: (p: Partner) => string;
    readonly requestHeading: (p: { partner: string; customer: string }) => string;
    readonly requestIntro: (p: PartnerDomain) => string;
    readonly partner: string;
    readonly organisation: string;
    readonly duration: string;
    readonly durationExtended: (p: { duration: string; period: string }) => string;
    readonly openUntil: string;
    readonly sentTo: string;
    readonly messageFrom: (p: Partner) => string;
    readonly signedInAs: (p: { email: string }) => string;
    readonly rolesHeading: string;
    readonly untick: string;
    readonly grantFor: (p: { input: string }) => string;
    readonly atMost: (p: { duration: string }) => string;
    readonly accept: string;
    readonly declineHeading: string;
    readonly tellWhy: (p: Partner) => string;
    readonly decline: string;
    readonly footnote: (p: Partner) => string;
    readonly signInHeading: string;
    readonly signInAlways: (p: { domain: string }) => string;
    readonly signInPower: (p: { roles: string; domain: string; count: number }) => string;
    readonly declineNeedsNoSignIn: string;
    readonly signInButton: string;
    readonly signInAsSomeoneElse: string;
    readonly declinedTitle: string;
    readonly declinedHeading: string;
    readonly declinedBody: (p: PartnerDomain) => string;
    readonly declinedBodyWithReason: (p: PartnerDomain) => string;
    readonly acceptedTitle: string;
    readonly acceptedHeading: (p: Partner) => string;
    readonly acceptedBody: (p: PartnerDomain & { time: string }) => string;
    readonly acceptedBodyExtended: (p: PartnerDomain & { time: string; period: string }) => string;
    readonly problems: Readonly<Record<PageProblem, ProblemText>>;
  };
}

export const en = {
  days: { one: '# day', other: '# days' },
  dateTime: ({ day, time }) => `${day}, ${time} UTC`,
  label: ({ term, text }) => `${term}: ${text}`,
  listSeparator: ', ',
  roles: {
    DIRECTORY_READER: { title: 'Directory reader', description: 'Read users, groups and basic organisation settings. Cannot change anything.' },
    HELPDESK_ADMIN: { title: 'Helpdesk administrator', description: 'Reset passwords and sign-in methods of non-administrators, and manage support requests.' },
    USER_ADMIN: { title: 'User administrator', description: 'Create and manage users and groups, including password resets for non-administrators.' },
    LICENSE_ADMIN: { title: 'License administrator', description: 'Assign and remove product licenses for users. Cannot buy or cancel subscriptions.' },
    BILLING_READER: { title: 'Billing reader', description: 'Read invoices, subscriptions and usage. Cannot pay, buy or cancel.' },
    SECURITY_READER: { title: 'Security reader', description: 'Read security reports, alerts and audit logs. Cannot change security settings.' },
    GLOBAL_ADMIN: { title: 'Global administrator', description: 'Full control of every setting, user and subscription of the organisation. Grant with care.' },
  },
  email: {
    subject: ({ partner, domain }) => `${partner} asks for admin access to ${domain}`,
    reminderSubject: ({ subject }) => `Reminder: ${subject}`,
    reminder: ({ left }) => `Reminder: this request is still waiting for your answer and closes in ${left}. Links in earlier emails no longer work; use the one below.`,
    replacesEarlier: 'This email replaces the one sent earlier for this request: the link in that email no longer works.',
    intro: ({ partner, domain }) => `${partner} asks for delegated admin access to your organisation ${domain}.`,
    rolesHeading: 'Roles requested:',
    duration: ({ duration }) => `For: ${duration}`,
    durationExtended: ({ duration, period }) => `For: ${duration}, then extended by ${period} at a time unless you end it`,
    openUntil: ({ time }) => `This request is open until ${time}.`,
    messageFrom: ({ partner }) => `Message from ${partner}:`,
    reviewHere: 'Review the request and accept or decline it here:',
    reviewButton: 'Review the request',
    safeToOpen: 'Opening the link changes nothing; only your choice on that page does.',
    unexpected: 'If you did not expect this request, you can ignore this email: it expires by itself.',
  },
  notice: {
    footer: "You receive this notice because your organisation's partner policy lists this address under notify.",
    partnerId: ({ name, id }) => `${name} (partner id ${id})`,
    grantedSubject: ({ partner, domain }) => `${partner} was granted admin access to ${domain}`,
    grantedIntro: ({ who, domain }) => `${who} was granted delegated admin access to your organisation ${domain}.`,
    rolesGranted: 'Roles granted:',
    until: ({ time }) => `Until: ${time}`,
    untilExtended: ({ time, period }) => `Until: ${time}, then extended by ${period} at a time unless someone ends it`,
    approvedBy: ({ approver }) => `Approved by: ${approver}`,
    approverSignedIn: ({ email, domain }) => `${email}, signed in as an admin of ${domain}`,
    approverByLink: ({ email }) => `${email}, from the emailed link without signing in`,
    overlapHeading: 'More than one partner now holds the same power role:',
    overlapCheck: 'Check that each of them needs it.',
    endedSubject: ({ partner, domain }) => `${partner}'s admin access to ${domain} has ended`,
    endedIntro: ({ who, domain }) => `The delegated admin access of ${who} to your organisation ${domain} has ended.`,
    rolesHeld: 'Roles it held:',
    endedAt: ({ time }) => `Ended: ${time}`,
    endedBy: ({ by }) => `Ended by: ${by}`,
    byPartner: ({ partner }) => `the partner, ${partner}`,
    byCustomer: ({ domain }) => `an admin of your organisation ${domain}`,
    expiredSubject: ({ partner, domain }) => `${partner}'s admin access to ${domain} has expired`,
    expiredIntro: ({ who, domain }) => `The delegated admin access of ${who} to your organisation ${domain} reached its end and expired.`,
    byEndDate: 'Ended by: its end date (nobody extended it)',
    endingSubject: ({ partner, domain, days }) => `${partner}'s admin access to ${domain} ends in ${days}`,
    endingIntro: ({ who, domain, days, time }) => `The delegated admin access of ${who} to your organisation ${domain} ends in ${days}, on ${time}.`,
    rolesHolding: 'Roles it holds:',
    endingNext: 'It does not extend itself, and nothing needs doing: the access ends by itself. If you want to keep working with this partner, they can send a new request once it has ended.',
  },
  partnerNotice: {
    footer: ({ partner }) => `You receive this notice because this address is the contact address of the partner profile of ${partner}.`,
    request: ({ id }) => `Request: ${id}`,
    acceptedSubject: ({ domain }) => `${domain} accepted your request for admin access`,
    acceptedIntro: ({ domain }) => `Your request for delegated admin access to ${domain} was accepted.`,
    rolesNotGranted: 'Requested but not granted:',
    grantedFor: ({ duration }) => `Granted for: ${duration}`,
    declinedSubject: ({ domain }) => `${domain} declined your request for admin access`,
    declinedIntro: ({ domain }) => `An admin of ${domain} declined your request for delegated admin access.`,
    reason: ({ reason }) => `Their reason: ${reason}`,
    noReason: 'They gave no reason.',
    rolesRequested: 'Roles requested:',
    expiredSubject: ({ domain }) => `Your request for admin access to ${domain} expired unanswered`,
    expiredIntro: ({ domain, time }) => `Nobody at ${domain} answered your request for delegated admin access before it expired on ${time}.`,
    askAgain: 'If you still need access, you can send a new request.',
    endedSubject: ({ domain }) => `${domain} ended your admin access`,
    endedIntro: ({ domain }) => `An admin of ${domain} ended your delegated admin access to that organisation.`,
    bouncedSubject: ({ domain }) => `Your request email to ${domain} could not be delivered`,
    bouncedPermanentIntro: ({ domain, address }) => `Your request for delegated admin access to ${domain} could not be delivered to ${address}: the receiving mail server rejected the address permanently.`,
    bouncedTransientIntro: ({ domain, address }) => `Your request for delegated admin access to ${domain} could not be delivered to ${address} for now (for example, the mailbox is full or unavailable).`,
    bouncedAdvice: 'Check the address with the customer, then cancel the request and send a new one, or resend it once the mailbox works again.',
    complainedIntro: ({ domain, address }) => `The recipient at ${address} reported your request for delegated admin access to ${domain} as unwanted mail.`,
    complainedAdvice: 'Please contact the customer through another channel before sending them another request.',
    endingSubject: ({ domain, days }) => `Your admin access to ${domain} ends in ${days}`,
    endingIntro: ({ domain, days, time }) => `Your delegated admin access to ${domain} ends in ${days}, on ${time}.`,
    endingAdvice: 'It does not extend itself. If you still need access after that, send the customer a new request once it has ended.',
  },
  page: {
    requestTitle: ({ partner }) => `${partner} asks for admin access`,
    requestHeading: ({ partner, customer }) => `${partner} asks for admin access to ${customer}`,
    requestIntro: ({ partner, domain }) => `${partner} would like delegated administrative access to ${domain}. Nothing changes unless you accept.`,
    partner: 'Partner',
    organisation: 'Organisation',
    duration: 'Duration',
    durationExtended: ({ duration, period }) => `${duration}, then extended by ${period} at a time until you end it`,
    openUntil: 'Open until',
    sentTo: 'Sent to',
    messageFrom: ({ partner }) => `Message from ${partner}`,
    signedInAs: ({ email }) => `Signed in as ${email}`,
    rolesHeading: 'Roles requested',
    untick: 'Untick any role you do not want to grant.',
    grantFor: ({ input }) => `Grant access for ${input} days`,
    atMost: ({ duration }) => `(at most ${duration}, as requested)`,
    accept: 'Accept',
    declineHeading: 'Or decline',
    tellWhy: ({ partner }) => `Tell ${partner} why (optional)`,
    decline: 'Decline',
    footnote: ({ partner }) =>
      `Accepting grants ${partner} only the roles you keep ticked, for the time you choose. It does not change your subscriptions, their terms or who owns your account, and it does not affect any other partner you work with.`,
    signInHeading: 'Sign in to accept',
    signInAlways: ({ domain }) => `The policy of ${domain} says every request is accepted by a signed-in administrator of ${domain}.`,
    signInPower: ({ roles, domain, count }) =>
      `${roles} can change things in ${domain}, so only a signed-in administrator of ${domain} can grant ${pluralise('en', count, { one: 'it', other: 'them' })}. Read-only roles can still be accepted from this link alone.`,
    declineNeedsNoSignIn: 'Declining needs no sign-in.',
    signInButton: 'Sign in…',
    signInAsSomeoneElse: 'Sign in as someone else',
    declinedTitle: 'Request declined',
    declinedHeading: 'You declined the request',
    declinedBody: ({ partner, domain }) => `${partner} has not been given access to ${domain}. ${partner} will see your answer when they check the request.`,
    declinedBodyWithReason: ({ partner, domain }) => `${partner} has not been given access to ${domain}. ${partner} will see your answer and your reason when they check the request.`,
    acceptedTitle: 'Request accepted',
    acceptedHeading: ({ partner }) => `${partner} now has admin access`,
    acceptedBody: ({ partner, domain, time }) => `${partner} has these roles for ${domain} until ${time}:`,
    acceptedBodyExtended: ({ partner, domain, time, period }) => `${partner} has these roles for ${domain} until ${time}, extended by ${period} at a time until you end it:`,
    problems: {
      NOT_FOUND: { headline: 'This link is not valid', detail: 'Check that you opened the whole link from the email, or ask the partner to send a new request.' },
      ALREADY_ACCEPTED: { headline: 'This request has already been accepted', detail: 'Nothing more needs to be done. The partner already has the access that was granted.' },
      ALREADY_DECLINED: { headline: 'This request has already been declined', detail: 'The answer has been recorded. If you changed your mind, ask the partner to send a new request.' },
      CANCELED: { headline: 'This request was withdrawn', detail: 'The partner withdrew this request, so there is nothing to answer.' },
      EXPIRED: { headline: 'This request has expired', detail: 'This request expired without an answer. Ask the partner to send a new one.' },
      LINK_REPLACED: { headline: 'A newer email was sent for this request', detail: 'Please use the link in the most recent email; this one no longer works.' },
      CROSS_SITE_REQUEST: { headline: 'Please answer on the request page', detail: 'This answer must be given on the page the emailed link opens.' },
      SIGN_IN_FAILED: { headline: 'Sign-in failed', detail: 'The sign-in was not completed, was already used or expired. Open the emailed link and sign in again.' },
      SIGN_IN_REQUIRED: { headline: 'Sign in to accept', detail: 'Accepting this request needs a signed-in administrator of your organisation. Sign in, then accept; declining needs no sign-in.' },
      WRONG_ACCOUNT: { headline: 'You are signed in with another account', detail: 'This account cannot accept this request for your organisation. Sign in as someone else to accept.' },
      CONFLICT: { headline: 'The request changed while you answered', detail: 'Open the emailed link again to see it as it is now.' },
      RELATIONSHIP_EXISTS: { headline: 'This partner already has access', detail: 'The partner already has an active relationship with your organisation, so this request cannot be accepted.' },
      VALIDATION_FAILED: { headline: 'Please check your answer', detail: 'Keep at least one role ticked, or decline the request. The duration can be shortened, not lengthened.' },
      APPROVER_NOT_ALLOWED: { headline: 'Your organisation’s policy does not allow this', detail: 'Your organisation’s policy names who may approve requests, and you are not one of them.' },
      PARTNER_NOT_ALLOWED: { headline: 'Your organisation’s policy does not allow this', detail: 'Your organisation’s policy does not allow requests from this partner.' },
      ROLE_NOT_ALLOWED: { headline: 'Your organisation’s policy does not allow this', detail: 'Your organisation’s policy forbids granting one of the roles you kept ticked. Untick it and accept again.' },
      DURATION_TOO_LONG: { headline: 'Your organisation’s policy does not allow this', detail: 'Your organisation’s policy allows a shorter duration. Shorten it and accept again.' },
      IDEMPOTENCY_KEY_REUSED: { headline: 'This answer was already sent differently', detail: 'Open the emailed link again and answer once more.' },
      IDEMPOTENCY_KEY_IN_PROGRESS: { headline: 'Your answer is still being processed', detail: 'Please wait a moment, then open the emailed link again.' },
      OTHER: { headline: 'Something went wrong', detail: 'Please try again later. If it keeps happening, tell the partner the code below.' },
    },
  },
} satisfies Messages;
