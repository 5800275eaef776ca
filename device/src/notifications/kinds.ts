import { z } from 'zod';

/**
 * Every kind of notification the hub sends, stated once: the facts it
 * carries (a zod schema, from which the TypeScript type is inferred), who it
 * concerns, and its English wording for email, webhooks and a console that
 * does not know the kind yet. The console words each kind itself, in the
 * member's language, from the params.
 *
 * `audience`:
 * - `member`: about one member's own affairs (money, loans). Webhooks get it
 *   only when that member registered the hook.
 * - `community`: news for everyone (a proposal, an emergency). Stewards'
 *   webhooks get it once per event.
 * - `stewards`: the hub's own housekeeping, for stewards.
 */
const money = { amount: z.number().int(), unit: z.enum(['credit', 'hour']) };
const item = { code: z.string(), name: z.string() };

function kind<P extends z.ZodObject>(spec: {
  params: P;
  audience: 'member' | 'community' | 'stewards';
  group: Group;
  english: (p: z.infer<P>, w: Wording) => string;
  mandatory?: boolean;
}) {
  return { mandatory: false, ...spec };
}

export type Group = 'money' | 'library' | 'time' | 'community' | 'emergency' | 'hub';

/** What English wording needs from the hub: members' names and its currency. */
export interface Wording {
  name(memberId: string): string;
  money(minor: number): string;
}
const plain: Wording = { name: (id) => id, money: (m) => String(m) };

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const amt = (p: { amount: number; unit: 'credit' | 'hour' }, w: Wording) => (p.unit === 'hour' ? `${p.amount / 100} h` : w.money(p.amount));

export const NOTIFICATION_KINDS = {
  // ── money ──
  paid: kind({
    params: z.object({ from: z.string().describe('Member or system account that paid'), ...money, memo: z.string().nullable() }),
    audience: 'member',
    group: 'money',
    english: (p, w) => `You were paid ${amt(p, w)} by ${w.name(p.from)}${p.memo ? `: ${p.memo}` : ''}`,
  }),
  'payment-requested': kind({
    params: z.object({ from: z.string().describe('Who asks to be paid'), ...money, memo: z.string().nullable(), requestId: z.string() }),
    audience: 'member',
    group: 'money',
    english: (p, w) => `${w.name(p.from)} asks you to pay ${amt(p, w)}${p.memo ? `: ${p.memo}` : ''}`,
  }),
  'request-accepted': kind({
    params: z.object({ by: z.string(), ...money, requestId: z.string() }),
    audience: 'member',
    group: 'money',
    english: (p, w) => `${w.name(p.by)} paid your request for ${amt(p, w)}`,
  }),
  'request-rejected': kind({
    params: z.object({ by: z.string(), ...money, requestId: z.string() }),
    audience: 'member',
    group: 'money',
    english: (p, w) => `${w.name(p.by)} turned down your request for ${amt(p, w)}`,
  }),
  'request-expired': kind({
    params: z.object({ payer: z.string(), ...money, requestId: z.string() }),
    audience: 'member',
    group: 'money',
    english: (p, w) => `Your request to ${w.name(p.payer)} for ${amt(p, w)} expired unpaid`,
  }),
  // ── library ──
  'loan-due': kind({
    params: z.object({ ...item, date: z.number().int() }),
    audience: 'member',
    group: 'library',
    english: (p) => `${p.code} ${p.name} is due back tomorrow`,
  }),
  'loan-overdue': kind({
    params: z.object({ ...item, date: z.number().int() }),
    audience: 'member',
    group: 'library',
    english: (p) => `${p.code} ${p.name} was due ${day(p.date)}; please bring it back`,
  }),
  'loan-returned': kind({
    params: z.object({ ...item, depositBack: z.number().int().describe('Minor units returned; 0 when there was no deposit') }),
    audience: 'member',
    group: 'library',
    english: (p, w) => `${p.code} ${p.name} is back, thank you${p.depositBack ? `; your deposit of ${w.money(p.depositBack)} is returned` : ''}`,
  }),
  'hold-ready': kind({
    params: z.object({ ...item, date: z.number().int() }),
    audience: 'member',
    group: 'library',
    english: (p) => `${p.code} ${p.name} is ready for you until ${day(p.date)}`,
  }),
  'hold-lapsed': kind({
    params: z.object(item),
    audience: 'member',
    group: 'library',
    english: (p) => `Your hold on ${p.code} ${p.name} passed to the next member: the pickup window ended`,
  }),
  'booking-reminder': kind({
    params: z.object({ ...item, from: z.number().int(), to: z.number().int() }),
    audience: 'member',
    group: 'library',
    english: (p) => `Your booking of ${p.code} ${p.name} starts ${day(p.from)}`,
  }),
  'item-repair': kind({
    params: z.object(item),
    audience: 'member',
    group: 'library',
    english: (p) => `${p.code} ${p.name} is in for repair; your booking may move`,
  }),
  'item-retired': kind({
    params: z.object(item),
    audience: 'member',
    group: 'library',
    english: (p) => `${p.code} ${p.name} has been retired; your booking or hold is cancelled`,
  }),
  // ── time bank and skills ──
  'timebank-taken': kind({
    params: z.object({ title: z.string() }),
    audience: 'member',
    group: 'time',
    english: (p) => `Your time-bank post "${p.title}" was taken up`,
  }),
  'timebank-hours-proposed': kind({
    params: z.object({ title: z.string(), hours: z.number().int(), agreed: z.number().int() }),
    audience: 'member',
    group: 'time',
    english: (p) => `"${p.title}": ${p.hours / 100} h instead of the ${p.agreed / 100} h agreed; confirm if that is right`,
  }),
  'timebank-expiring': kind({
    params: z.object({ title: z.string(), date: z.number().int() }),
    audience: 'member',
    group: 'time',
    english: (p) => `Your time-bank post "${p.title}" expires on ${day(p.date)}`,
  }),
  mentorship: kind({
    params: z.object({ skill: z.string(), role: z.enum(['learner', 'teacher']) }),
    audience: 'member',
    group: 'time',
    english: (p) => (p.role === 'teacher' ? `Someone would like to learn ${p.skill} from you` : `A mentor for ${p.skill} is proposed`),
  }),
  'regeneration-verified': kind({
    params: z.object({ kind: z.string(), quantity: z.number(), amount: z.number().int() }),
    audience: 'member',
    group: 'time',
    english: (p, w) => `Your regeneration work (${p.quantity} ${p.kind}) was verified: ${w.money(p.amount)} credited.`,
  }),
  'flow-allocation': kind({
    params: z.object({
      role: z.enum(['give', 'receive']),
      resource: z.string(),
      quantity: z.number(),
      unit: z.string(),
      with: z.string(),
      allocationId: z.string(),
    }),
    audience: 'member',
    group: 'community',
    english: (p, w) =>
      p.role === 'give'
        ? `The board suggests you give ${p.quantity} ${p.unit} of ${p.resource} to ${w.name(p.with)}`
        : `The board suggests ${w.name(p.with)} gives you ${p.quantity} ${p.unit} of ${p.resource}`,
  }),
  // ── the community ──
  'proposal-opened': kind({
    params: z.object({ proposalId: z.string(), title: z.string(), closesAt: z.number().int() }),
    audience: 'community',
    group: 'community',
    english: (p) => `New proposal: "${p.title}"; voting closes ${day(p.closesAt)}`,
  }),
  'proposal-closing': kind({
    params: z.object({ proposalId: z.string(), title: z.string(), closesAt: z.number().int() }),
    audience: 'member',
    group: 'community',
    english: (p) => `Voting on "${p.title}" closes ${day(p.closesAt)} and you have not voted`,
  }),
  'proposal-decided': kind({
    params: z.object({ proposalId: z.string(), title: z.string(), outcome: z.string() }),
    audience: 'community',
    group: 'community',
    english: (p) => `"${p.title}" was decided: ${p.outcome}`,
  }),
  'budget-round-opened': kind({
    params: z.object({ roundId: z.string(), title: z.string(), closesAt: z.number().int() }),
    audience: 'community',
    group: 'community',
    english: (p) => `Budget round "${p.title}" is open until ${day(p.closesAt)}`,
  }),
  'budget-round-closed': kind({
    params: z.object({ roundId: z.string(), title: z.string(), funded: z.number().int() }),
    audience: 'community',
    group: 'community',
    english: (p) => `Budget round "${p.title}" closed: ${p.funded} projects funded`,
  }),
  'emergency-declared': kind({
    params: z.object({ emergencyId: z.string(), note: z.string(), places: z.array(z.string()) }),
    audience: 'community',
    group: 'emergency',
    mandatory: true,
    english: (p) => `Emergency declared${p.places.length ? ` for ${p.places.join(', ')}` : ''}: ${p.note}`,
  }),
  'emergency-ended': kind({
    params: z.object({ emergencyId: z.string(), note: z.string() }),
    audience: 'community',
    group: 'emergency',
    mandatory: true,
    english: (p) => `The emergency is over: ${p.note}`,
  }),
  // ── the hub, for stewards ──
  'hub-link-changed': kind({
    params: z.object({ hub: z.string(), status: z.enum(['active', 'paused', 'closing', 'closed']), side: z.enum(['ours', 'theirs']) }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => (p.side === 'ours' ? `The link with ${p.hub} is now ${p.status}` : `${p.hub} set its side of the link to ${p.status}`),
  }),
  'join-attempt': kind({
    params: z.object({}),
    audience: 'member',
    group: 'hub',
    english: () => 'Someone tried to join the hub with your email address. If it was you, sign in instead; if not, nothing was changed.',
  }),
  'storage-low': kind({
    params: z.object({ freeMiB: z.number() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `The hub's storage is nearly full (${p.freeMiB} MiB free): new photos are refused. Old sensor readings are being pruned.`,
  }),
  'storage-was-full': kind({
    params: z.object({ from: z.number().int(), freeMiB: z.number() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) =>
      `The hub's storage was full from ${new Date(p.from).toISOString()}: changes were refused until there was room. ${p.freeMiB} MiB are free now.`,
  }),
  'backup-overdue': kind({
    params: z.object({ why: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `The hub has not made a backup for two days: ${p.why}.`,
  }),
  'backup-peer-overdue': kind({
    params: z.object({ hub: z.string(), why: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `${p.hub} has not received a backup from this hub for two days${p.why ? `: ${p.why}` : ''}.`,
  }),
  'update-security': kind({
    params: z.object({ version: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `Security update ${p.version} is being installed now.`,
  }),
  'update-proposed': kind({
    params: z.object({ version: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `Hyphae ${p.version} has arrived; the community decides whether to install it.`,
  }),
  'update-installed': kind({
    params: z.object({ version: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `Hyphae ${p.version} is installed and running.`,
  }),
  'update-rolled-back': kind({
    params: z.object({ version: z.string(), detail: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `Hyphae ${p.version} could not be installed and the hub went back to the version before: ${p.detail}`,
  }),
  'webhook-disabled': kind({
    params: z.object({ hookId: z.string(), url: z.string(), why: z.string() }),
    audience: 'stewards',
    group: 'hub',
    english: (p) => `The webhook to ${p.url} was turned off after repeated failures: ${p.why}`,
  }),
};

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export type ParamsOf<K extends NotificationKind> = z.infer<(typeof NOTIFICATION_KINDS)[K]['params']>;
export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

export function isNotificationKind(k: string): k is NotificationKind {
  return Object.hasOwn(NOTIFICATION_KINDS, k);
}

export function englishOf<K extends NotificationKind>(kind: K, params: ParamsOf<K>, w: Wording = plain): string {
  return (NOTIFICATION_KINDS[kind].english as (p: ParamsOf<K>, w: Wording) => string)(params, w);
}

/** Who a notification goes to: members by id, or everyone active, or the active stewards. */
export type Audience = readonly string[] | 'everyone' | 'stewards';

/**
 * What a domain module needs to tell people: called inside the module's own
 * transaction, so that the notification exists exactly when the change does.
 */
export interface Notifier {
  sendInTxn<K extends NotificationKind>(to: Audience, kind: K, params: ParamsOf<K>, opts?: { ref?: string | null; key?: string | null }): number;
}

/** For a module built without people to tell (a CLI reading the store, a unit test). */
export const silentNotifier: Notifier = { sendInTxn: () => 0 };
