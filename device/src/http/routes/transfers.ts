import { z } from '@hono/zod-openapi';
import { HubError } from '../../errors.js';
import { hasRole, type Member } from '../../members/members.js';
import { FUND } from '../../ledger/types.js';
import { idempotencyKey, refuseSystemAccounts, requireMember, type App, type HttpDeps } from '../context.js';
import {
  Amount,
  created,
  IdempotencyHeader,
  Memo,
  NewRequest,
  NewTransfer,
  ok,
  PaymentRequest,
  problemResponses,
  Transfer,
  TransferResult,
} from '../schemas.js';
import { REQUEST_STATUSES } from '../../ledger/contract.js';
import { body, operations } from '../operations.js';

const transfersApi = operations('transfers');
const requestsApi = operations('requests');

const pay = transfersApi.post('/api/v1/transfers', 'Pay a member. Stewards may give a payer.', {
  headers: IdempotencyHeader,
  body: body(NewTransfer),
  answers: created(TransferResult, 'The transfer, with warnings such as near-credit-limit'),
});

const getTransfer = transfersApi.get('/api/v1/transfers/{id}', 'One transfer (its payer, payee or a steward)', {
  params: z.object({ id: z.string() }),
  answers: ok(Transfer, 'The transfer', problemResponses),
});

const createRequest = requestsApi.post('/api/v1/requests', 'Ask a member to pay you; they accept or reject it before it expires', {
  headers: IdempotencyHeader,
  body: body(NewRequest),
  answers: created(PaymentRequest, 'The request'),
});

const listRequests = requestsApi.get('/api/v1/requests', 'My requests: incoming (I am asked to pay) or outgoing', {
  query: z.object({
    direction: z.enum(['incoming', 'outgoing']).optional(),
    status: z.enum(REQUEST_STATUSES).optional(),
  }),
  answers: ok(z.array(PaymentRequest), 'Requests, newest first', problemResponses),
});

const requestAction = (name: 'accept' | 'reject' | 'cancel', summary: string, answer: z.ZodType) =>
  requestsApi.post(`/api/v1/requests/{id}/${name}`, summary, { params: z.object({ id: z.string() }), answers: ok(answer, 'Done') });

const donate = transfersApi.post('/api/v1/fund/donations', 'Give to the community fund from your own account', {
  headers: IdempotencyHeader,
  body: body(z.object({ amount: Amount, memo: Memo.optional() })),
  answers: created(TransferResult, 'The gift'),
});

/**
 * The account a member acts for in a payment or a request: their own, or the one a steward names.
 * Neither side may be a system account (the fund, a link): those move only through their own routes.
 */
function actingFor(me: Member, named: string | undefined, other: string | undefined, refusal: string): string {
  const account = named ?? me.id;
  refuseSystemAccounts(account, other);
  if (account !== me.id && !hasRole(me, 'steward')) throw HubError.forbidden(refusal);
  return account;
}

export function registerTransfers(app: App, deps: HttpDeps) {
  const { ledger } = deps;

  app.openapi(pay, async (c) => {
    const me = requireMember(c);
    const body = c.req.valid('json');
    const payer = actingFor(me, body.payer, body.payee, 'only stewards can pay from another account');
    return c.json(await ledger.pay({ ...body, payer, actor: me.id, idempotencyKey: idempotencyKey(c) }), 201);
  });

  app.openapi(donate, async (c) => {
    const me = requireMember(c);
    const body = c.req.valid('json');
    const t = await ledger.pay({
      payer: me.id,
      payee: FUND,
      amount: body.amount,
      memo: body.memo ?? 'gift to the community fund',
      category: 'donation',
      actor: me.id,
      idempotencyKey: idempotencyKey(c),
    });
    return c.json(t, 201);
  });

  app.openapi(getTransfer, (c) => {
    const me = requireMember(c);
    const t = ledger.transfer(c.req.valid('param').id);
    if (t.payer !== me.id && t.payee !== me.id && !hasRole(me, 'steward')) throw HubError.notFound(`transfer ${t.id}`);
    return c.json(t, 200);
  });

  app.openapi(createRequest, async (c) => {
    const me = requireMember(c);
    const body = c.req.valid('json');
    const payee = actingFor(me, body.payee, body.payer, 'you can only ask for payment to yourself');
    return c.json(await ledger.request({ ...body, payee, actor: me.id, idempotencyKey: idempotencyKey(c) }), 201);
  });

  app.openapi(listRequests, (c) => {
    const me = requireMember(c);
    const { direction, status } = c.req.valid('query');
    const role = direction === 'incoming' ? 'payer' : direction === 'outgoing' ? 'payee' : undefined;
    return c.json(ledger.requestsOf(me.id, { role, status }), 200);
  });

  app.openapi(requestAction('accept', 'Accept and pay a request (its payer)', z.object({ request: PaymentRequest, transfer: TransferResult })), async (c) => {
    const me = requireMember(c);
    return c.json(await ledger.acceptRequest(c.req.valid('param').id, me.id), 200);
  });
  app.openapi(requestAction('reject', 'Reject a request (its payer)', PaymentRequest), async (c) => {
    const me = requireMember(c);
    return c.json(await ledger.rejectRequest(c.req.valid('param').id, me.id), 200);
  });
  app.openapi(requestAction('cancel', 'Withdraw a request (who asked, or a steward)', PaymentRequest), async (c) => {
    const me = requireMember(c);
    return c.json(await ledger.cancelRequest(c.req.valid('param').id, me.id, hasRole(me, 'steward')), 200);
  });
}
