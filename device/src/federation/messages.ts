import { z } from 'zod';
import { RESOURCES } from '../flow/board.js';

/**
 * What each message between hubs carries, checked before it is acted on. An
 * envelope's signature says which hub sent it; these say that what it sent
 * has the right shape: amounts are whole numbers of minor units, rates are
 * positive fractions, statuses are ones a link can have. A body that does not
 * fit is refused and counted like any other bad message, and the link goes
 * on with the next one.
 *
 * Objects are open (passthrough): a newer hub may add a field, and forwarded
 * messages (clearing) travel on exactly as signed.
 */
const id = z.string().min(1).max(200);
const hubId = z.string().min(1).max(100);
const minor = z.number().int().safe();
const positiveMinor = minor.positive();
const time = z.number().int().nonnegative();
const Rate = z.object({ num: z.number().int().positive().safe(), den: z.number().int().positive().safe() }).passthrough();
const Signed = z.object({ key: z.string().min(1).max(200), sig: z.string().min(1).max(400) }).passthrough();
const Resource = z.enum(Object.keys(RESOURCES) as [string, ...string[]]);
const LinkStatus = z.enum(['active', 'paused', 'closing', 'closed']);
const Quantity = z.object({ resource: Resource, quantity: z.number().finite().nonnegative(), from: time, to: time }).passthrough();

export const MessageBodies = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('link.hello'),
    body: z
      .object({
        nonce: z.string().min(1).max(100),
        url: z.url().max(500),
        publicKey: z.string().min(1).max(200),
        name: z.string().max(200),
        currency: z.object({ symbol: z.string().min(1).max(16), minorUnits: z.number().int().min(0).max(6) }).passthrough(),
        rate: Rate,
      })
      .passthrough(),
  }),
  z.object({ type: z.literal('link.status'), body: z.object({ status: LinkStatus, plan: z.string().max(2000).nullable().optional() }).passthrough() }),
  z.object({
    type: z.literal('terms.propose'),
    body: z
      .object({ id, rate: Rate, trustOut: minor.nonnegative(), trustIn: minor.nonnegative(), feePpm: z.number().int().min(0).max(1_000_000) })
      .passthrough(),
  }),
  z.object({ type: z.literal('terms.accept'), body: z.object({ id }).passthrough() }),
  z.object({ type: z.literal('terms.decline'), body: z.object({ id }).passthrough() }),
  z.object({
    type: z.literal('payment.propose'),
    body: z
      .object({
        paymentId: id,
        payer: z.string().min(1).max(300),
        payee: z.string().min(1).max(300),
        hub: hubId.optional(),
        amount: positiveMinor,
        amountSender: positiveMinor.optional(),
        memo: z.string().max(500).nullable().optional(),
        expiresAt: time.optional(),
        ttl: z.number().int().min(0).max(16).optional(),
      })
      .passthrough(),
  }),
  z.object({ type: z.literal('payment.accept'), body: z.object({ paymentId: id }).passthrough() }),
  z.object({ type: z.literal('payment.reject'), body: z.object({ paymentId: id, reason: z.string().max(1000) }).passthrough() }),
  z.object({
    type: z.literal('clearing.propose'),
    body: z
      .object({
        id,
        initiator: hubId,
        cycle: z.array(hubId).min(2).max(16),
        edges: z
          .array(z.object({ debtor: hubId, creditor: hubId, amount: positiveMinor, amountCreditor: positiveMinor }).passthrough())
          .min(1)
          .max(16),
        answers: z.record(z.string(), z.boolean()),
        status: z.enum(['proposed', 'committed', 'declined']),
        createdAt: time,
        appliedAt: time.nullable(),
        proof: Signed.optional(),
        names: z.record(z.string(), z.string().max(200)).optional(),
      })
      .passthrough(),
  }),
  z.object({ type: z.literal('clearing.answer'), body: z.object({ id, hub: hubId, accept: z.boolean(), proof: Signed.optional() }).passthrough() }),
  z.object({ type: z.literal('clearing.commit'), body: z.object({ id, proof: Signed.optional() }).passthrough() }),
  z.object({ type: z.literal('clearing.abort'), body: z.object({ id, proof: Signed.optional() }).passthrough() }),
  z.object({
    type: z.literal('signals.summary'),
    body: z
      .object({
        at: time,
        place: z
          .object({ name: z.string().max(200), x: z.number().finite(), y: z.number().finite() })
          .passthrough()
          .nullable(),
        needs: z.array(Quantity).max(1000),
        surpluses: z.array(Quantity).max(1000),
        crisis: z
          .object({ since: time, note: z.string().max(2000) })
          .passthrough()
          .nullable(),
        reach: z.array(z.object({ hubId, hops: z.number().int().min(0).max(64) }).passthrough()).max(1000),
        positions: z.array(z.object({ hubId, balance: minor, rate: Rate, name: z.string().max(200).optional() }).passthrough()).max(1000),
      })
      .passthrough(),
  }),
  z.object({
    type: z.literal('region.propose'),
    body: z
      .object({
        id,
        resource: Resource,
        supplierHub: hubId,
        receiverHub: hubId,
        quantity: z.number().finite().positive(),
        consent: z.record(z.string(), z.boolean()),
        status: z.enum(['proposed', 'agreed', 'declined']),
        createdAt: time,
      })
      .passthrough(),
  }),
  z.object({ type: z.literal('region.consent'), body: z.object({ id, accept: z.boolean() }).passthrough() }),
]);

export type Message = z.infer<typeof MessageBodies>;
export type MessageType = Message['type'];
export const MESSAGE_TYPES = MessageBodies.options.map((o) => o.shape.type.value) as MessageType[];

/** Null when the body fits its type; otherwise what is wrong, for the refusal. */
export function bodyProblem(type: string, body: unknown): string | null {
  const r = MessageBodies.safeParse({ type, body });
  if (r.success) return null;
  return r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'type'}: ${i.message}`)
    .join('; ');
}
