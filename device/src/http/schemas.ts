import { z } from '@hono/zod-openapi';
import { MAX_AMOUNT } from '../ledger/ledger.js';
import { UNITS } from '../ledger/types.js';
import { ROLES } from '../members/members.js';
import { REFUSAL_CODES } from '../refusal-codes.js';
import { JOIN_ROUTES, MEMBER_STATUSES } from '../members/contract.js';
import { ACCOUNT_STATUSES, HISTORY_KINDS, REQUEST_STATUSES } from '../ledger/contract.js';
import { SIGN_IN_VIA } from './context.js';

/** Schemas at the HTTP boundary. The OpenAPI document is generated from them. */

/** A record the OpenAPI document names, so the console's types refer to it: its name first, then its fields. */
export const component = <T extends z.ZodRawShape>(name: string, shape: T) => z.object(shape).openapi(name);
/** A whole number: every count, and every amount of money (minor units) or of time-bank hours, is one. */
export const Int = z.number().int();
/** A moment, as the hub keeps every one: milliseconds since 1970-01-01 UTC. */
export const Millis = z.number().int().describe('Milliseconds since 1970-01-01 UTC');

export const ValidationIssue = component('ValidationIssue', {
  path: z.string().describe('The field, dotted for nested ones ("keys.auth")'),
  message: z.string().describe('In English'),
  code: z.string().describe("zod's issue code: too_small, too_big, invalid_type, invalid_format, invalid_value, custom…"),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  origin: z.string().optional().describe('What was too small or big: string (characters), number, array (items)…'),
  format: z.string().optional().describe('For invalid_format: email, url, regex…'),
  expected: z.string().optional(),
  inclusive: z.boolean().optional(),
});

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'urn:hyphae:problem:over-credit-limit' }),
    title: z.string(),
    status: Int,
    detail: z.string().optional(),
    issues: z.array(ValidationIssue).optional().describe('For a validation problem: each field and what is wrong with it'),
    reason: z
      .enum(REFUSAL_CODES)
      .openapi({
        description: "Stable code of what went wrong, finer than the type, from the module's table of refusals: clients say it in their own language",
        example: 'voting-has-closed',
      })
      .openapi('RefusalCode'),
  })
  .catchall(z.unknown())
  .openapi('Problem');

export const MemberId = z.string().min(1).max(64).openapi({ example: 'm_Xq3k9Pz1' });
export const Amount = Int.min(1).max(MAX_AMOUNT).openapi({ description: 'Integer minor units (e.g. cents)', example: 1250 });
export const Unit = z.enum(UNITS).openapi({ description: 'credit: the currency; hour: time-bank hours, in hundredths' });
export const Memo = z.string().max(280);
export const Category = z.string().max(40);

export const Member = component('Member', {
  id: MemberId,
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  status: z.enum(MEMBER_STATUSES),
  createdAt: Millis,
  admittedAt: Millis.nullable(),
  admittedBy: MemberId.nullable(),
  joinedVia: z.enum(JOIN_ROUTES),
  note: z.string().nullable(),
  mustChangePassword: z.boolean().optional().openapi({ description: 'Signed in with a one-time password; should choose their own' }),
});

export const DirectoryEntry = component('DirectoryEntry', { id: MemberId, name: z.string(), status: z.enum(MEMBER_STATUSES) });

export const NewMember = component('NewMember', {
  name: z.string().trim().min(1).max(80),
  email: z.email().max(254),
  password: z.string().min(8).max(256).optional(),
  role: z.enum(ROLES).optional(),
  note: z.string().max(500).optional(),
});

export const JoinRequest = component('JoinRequest', {
  code: z.string().trim().min(4).max(32).optional().openapi({ description: 'Invite code; without one, this is a membership request a steward must admit' }),
  name: z.string().trim().min(1).max(80),
  email: z.email().max(254),
  password: z.string().min(8).max(256),
});

export const Invite = component('Invite', {
  code: z.string(),
  createdBy: MemberId,
  createdAt: Millis,
  expiresAt: Millis,
  note: z.string().nullable(),
  usedBy: MemberId.nullable(),
  usedAt: Millis.nullable(),
});

export const Credentials = component('Credentials', { email: z.string().min(1).max(254), password: z.string().min(1).max(256) });

export const SessionInfo = component('SessionInfo', {
  member: Member,
  csrfToken: z.string().nullable(),
  expiresAt: Millis.nullable(),
  via: z.enum(SIGN_IN_VIA),
});

export const ApiToken = component('ApiToken', { id: z.string(), memberId: z.string(), name: z.string(), createdAt: Millis, revokedAt: Millis.nullable() });

export const AccountView = component('AccountView', {
  accountId: z.string(),
  unit: Unit,
  balance: Int,
  floor: Int.openapi({ description: 'Lowest balance allowed, e.g. -50000' }),
  ceiling: Int,
  warnAt: Int.openapi({ description: 'Balance below which a warning is shown' }),
  available: Int,
  status: z.enum(ACCOUNT_STATUSES),
  pendingDemurrage: Int,
  demurrageNext30Days: Int,
});

export const Account = AccountView.extend({
  memberId: z.string(),
  hours: AccountView.nullable(),
  currency: z.object({ name: z.string(), symbol: z.string(), minorUnits: Int }),
}).openapi('Account');

export const LimitsUpdate = component('LimitsUpdate', {
  unit: Unit.default('credit'),
  floor: Int.max(0).nullable().optional().openapi({ description: 'null returns to the community default' }),
  ceiling: Int.min(0).nullable().optional(),
});

export const NewTransfer = component('NewTransfer', {
  payee: MemberId,
  amount: Amount,
  memo: Memo.optional(),
  category: Category.optional(),
  unit: Unit.optional(),
  payer: MemberId.optional().openapi({ description: 'Stewards only: pay on behalf of another member' }),
});

/** What a payment moves, as a transfer and a request for one both record it. */
const payment = {
  payer: z.string(),
  payee: z.string(),
  amount: Int,
  unit: Unit,
  memo: z.string().nullable(),
  category: z.string().nullable(),
};

export const Transfer = component('Transfer', {
  id: z.string(),
  seq: Int,
  at: Millis,
  ...payment,
  requestId: z.string().nullable(),
  initiatedBy: MemberId.nullable(),
});

export const TransferResult = Transfer.extend({ warnings: z.array(z.string()) }).openapi('TransferResult');

export const NewRequest = component('NewRequest', {
  payer: MemberId,
  amount: Amount,
  memo: Memo.optional(),
  category: Category.optional(),
  unit: Unit.optional(),
  payee: MemberId.optional(),
});

export const PaymentRequest = component('PaymentRequest', {
  id: z.string(),
  ...payment,
  status: z.enum(REQUEST_STATUSES),
  createdAt: Millis,
  expiresAt: Millis,
  closedAt: Millis.nullable(),
  transferId: z.string().nullable(),
  setOff: Int.optional(),
});

export const HistoryRow = component('HistoryRow', {
  seq: Int,
  at: Millis,
  kind: z.enum(HISTORY_KINDS),
  unit: Unit,
  delta: Int,
  balance: Int,
  counterparty: z.string().nullable(),
  memo: z.string().nullable(),
  category: z.string().nullable(),
  transferId: z.string().nullable(),
});

export const HistoryPage = component('HistoryPage', { items: z.array(HistoryRow), nextCursor: Int.nullable() });

export const Reliability = component('Reliability', {
  memberId: z.string(),
  requestsHonoured: Int,
  requestsRejected: Int,
  loansOnTime: Int,
  loansLate: Int,
  pledgesFulfilled: Int,
  pledgesBroken: Int,
});

export const VerifyReport = component('VerifyReport', {
  ok: z.boolean(),
  entries: Int,
  accounts: Int,
  transfers: Int,
  head: z.object({ seq: Int, hash: z.string() }).nullable(),
  totals: z.record(z.string(), Int),
  problems: z.array(z.string()),
});

export const problemResponses = {
  400: { description: 'Bad input', content: { 'application/problem+json': { schema: Problem } } },
  401: { description: 'Not signed in', content: { 'application/problem+json': { schema: Problem } } },
  403: { description: 'Not allowed', content: { 'application/problem+json': { schema: Problem } } },
  404: { description: 'Not found', content: { 'application/problem+json': { schema: Problem } } },
} as const;

export const ruleResponses = {
  ...problemResponses,
  409: { description: 'Conflict, or an idempotency key reused for another request', content: { 'application/problem+json': { schema: Problem } } },
  422: { description: 'A rule is broken, such as a credit limit', content: { 'application/problem+json': { schema: Problem } } },
} as const;

export const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(128).optional().openapi({ description: 'Repeat a create safely: the same key returns the same result' }),
});

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

type Problems = typeof problemResponses | typeof ruleResponses;

/**
 * A route's answers: this JSON on success, and the problems it may give instead (by default every
 * refusal, rules broken included; `problemResponses` for a route that checks no rule).
 */
export const ok = <T extends z.ZodType, P extends Problems = typeof ruleResponses>(schema: T, description: string, problems?: P) => ({
  200: json(schema, description),
  ...((problems ?? ruleResponses) as P),
});
/** As `ok`, for a route that creates something (201). */
export const created = <T extends z.ZodType, P extends Problems = typeof ruleResponses>(schema: T, description: string, problems?: P) => ({
  201: json(schema, description),
  ...((problems ?? ruleResponses) as P),
});

/** A yes/no query flag (`?open=true`): query strings carry text. */
export const QueryFlag = z.enum(['true', 'false']);
/** Whether an export or a list comes as CSV (for a spreadsheet) or JSON, with the route's default. */
export const exportFormat = (byDefault: 'csv' | 'json') => z.enum(['csv', 'json']).default(byDefault);
