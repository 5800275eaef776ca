import type { Schemas } from './api.js';
import type { Key, PluralKey, T } from './i18n.js';

export type Note = Schemas['Notification'];
export type NoteKind = Schemas['NotificationKind'];
type Cur = { minorUnits: number; symbol: string };
interface Words {
  t: T;
  cur: Cur | undefined;
  /** A member's name, or what a system account is for. */
  who(id: string): string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const item = (p: Record<string, unknown>) => `${str(p.code)} ${str(p.name)}`.trim();
const money = (w: Words, p: Record<string, unknown>) => (w.cur ? w.t.amount(num(p.amount), str(p.unit) || 'credit', w.cur) : String(num(p.amount)));
const memo = (p: Record<string, unknown>) => (str(p.memo) ? `: ${str(p.memo)}` : '');

/**
 * Every kind the hub sends, worded here in the member's language from the
 * facts it carries. A Record over the hub's kinds: a kind added to the hub's
 * table without words here does not compile.
 */
const WORDING: Record<NoteKind, (p: Record<string, unknown>, w: Words) => string> = {
  paid: (p, w) => w.t.t('note_paid', { name: w.who(str(p.from)), amount: money(w, p), memo: memo(p) }),
  'payment-requested': (p, w) => w.t.t('note_payment_requested', { name: w.who(str(p.from)), amount: money(w, p), memo: memo(p) }),
  'request-accepted': (p, w) => w.t.t('note_request_accepted', { name: w.who(str(p.by)), amount: money(w, p) }),
  'request-rejected': (p, w) => w.t.t('note_request_rejected', { name: w.who(str(p.by)), amount: money(w, p) }),
  'request-expired': (p, w) => w.t.t('note_request_expired', { name: w.who(str(p.payer)), amount: money(w, p) }),
  'loan-due': (p, w) => w.t.t('note_loan_due', { item: item(p), date: w.t.date(num(p.date)) }),
  'loan-overdue': (p, w) => w.t.t('note_loan_overdue', { item: item(p), date: w.t.day(num(p.date)) }),
  'loan-returned': (p, w) =>
    num(p.depositBack) > 0 && w.cur
      ? w.t.t('note_loan_returned_deposit', { item: item(p), amount: w.t.money(num(p.depositBack), w.cur) })
      : w.t.t('note_loan_returned', { item: item(p) }),
  'hold-ready': (p, w) => w.t.t('note_hold_ready', { item: item(p), date: w.t.date(num(p.date)) }),
  'hold-lapsed': (p, w) => w.t.t('note_hold_lapsed', { item: item(p) }),
  'booking-reminder': (p, w) => w.t.t('note_booking_reminder', { item: item(p), date: w.t.date(num(p.from)) }),
  'item-repair': (p, w) => w.t.t('note_item_repair', { item: item(p) }),
  'item-retired': (p, w) => w.t.t('note_item_retired', { item: item(p) }),
  'timebank-taken': (p, w) => w.t.t('note_timebank_taken', { title: str(p.title) }),
  'timebank-hours-proposed': (p, w) =>
    w.t.t('note_timebank_hours_proposed', { title: str(p.title), hours: w.t.hours(num(p.hours)), agreed: w.t.hours(num(p.agreed)) }),
  'timebank-expiring': (p, w) => w.t.t('note_timebank_expiring', { title: str(p.title), date: w.t.day(num(p.date)) }),
  mentorship: (p, w) => w.t.t(p.role === 'teacher' ? 'note_mentorship_teacher' : 'note_mentorship_learner', { skill: str(p.skill) }),
  'regeneration-verified': (p, w) =>
    w.t.t('note_regeneration_verified', {
      work: w.t.has(`regen_${str(p.kind)}_other`) ? w.t.plural(`regen_${str(p.kind)}` as PluralKey, num(p.quantity)) : `${num(p.quantity)} ${str(p.kind)}`,
      amount: w.cur ? w.t.money(num(p.amount), w.cur) : String(num(p.amount)),
    }),
  'flow-allocation': (p, w) => {
    const what = w.t.has(`res_${str(p.resource)}`) ? w.t.t(`res_${str(p.resource)}` as Key) : `${str(p.unit)} ${str(p.resource)}`;
    return w.t.t(p.role === 'give' ? 'note_flow_give' : 'note_flow_receive', { quantity: w.t.num(num(p.quantity)), what, name: w.who(str(p.with)) });
  },
  'proposal-opened': (p, w) => w.t.t('note_proposal_opened', { title: str(p.title), date: w.t.day(num(p.closesAt)) }),
  'proposal-closing': (p, w) => w.t.t('note_proposal_closing', { title: str(p.title), date: w.t.date(num(p.closesAt)) }),
  'proposal-decided': (p, w) => w.t.t(p.outcome === 'failed' ? 'note_proposal_failed' : 'note_proposal_passed', { title: str(p.title) }),
  'budget-round-opened': (p, w) => w.t.t('note_budget_opened', { title: str(p.title), date: w.t.day(num(p.closesAt)) }),
  'budget-round-closed': (p, w) => w.t.t('note_budget_closed', { title: str(p.title), n: num(p.funded) }),
  'emergency-declared': (p, w) => {
    const places = Array.isArray(p.places) ? (p.places as unknown[]).map(String) : [];
    return places.length
      ? w.t.t('note_emergency_places', { places: new Intl.ListFormat(w.t.locale, { type: 'conjunction' }).format(places), note: str(p.note) })
      : w.t.t('note_emergency', { note: str(p.note) });
  },
  'emergency-ended': (p, w) => w.t.t('note_emergency_ended', { note: str(p.note) }),
  'hub-link-changed': (p, w) =>
    w.t.t(p.side === 'theirs' ? 'note_link_theirs' : 'note_link_ours', {
      hub: str(p.hub),
      status: w.t.has(`link_${str(p.status)}`) ? w.t.t(`link_${str(p.status)}` as Key) : str(p.status),
    }),
  'join-attempt': (_p, w) => w.t.t('note_join_attempt'),
  'storage-low': (p, w) => w.t.t('note_storage_low', { free: w.t.num(num(p.freeMiB), 0) }),
  'storage-was-full': (p, w) => w.t.t('note_storage_was_full', { date: w.t.date(num(p.from)), free: w.t.num(num(p.freeMiB), 0) }),
  'backup-overdue': (p, w) => w.t.t('note_backup_overdue', { why: str(p.why) }),
  'backup-peer-overdue': (p, w) => w.t.t('note_backup_peer_overdue', { hub: str(p.hub) }),
  'update-security': (p, w) => w.t.t('note_update_security', { version: str(p.version) }),
  'update-proposed': (p, w) => w.t.t('note_update_proposed', { version: str(p.version) }),
  'update-installed': (p, w) => w.t.t('note_update_installed', { version: str(p.version) }),
  'update-rolled-back': (p, w) => w.t.t('note_update_rolled_back', { version: str(p.version) }),
  'webhook-disabled': (p, w) => w.t.t('note_webhook_disabled', { url: str(p.url) }),
};

/** A notification in the member's language; the hub's English only for a kind this console does not know. */
export function noteText(n: Note, w: Words): string {
  const word = (WORDING as Record<string, ((p: Record<string, unknown>, w: Words) => string) | undefined>)[n.kind];
  return word && n.params ? word(n.params, w) : n.text;
}

/** Where a notification leads in the console. */
export function noteHref(n: Note): string | null {
  const ref = n.ref ?? '';
  const [area, rest] = ref.split('/', 2);
  switch (area) {
    case 'library':
      return rest ? `#/library/${rest}` : '#/library';
    case 'history':
      return '#/history';
    case 'home':
      return '#/';
    case 'proposals':
    case 'budgeting':
      return '#/proposals';
    case 'flow':
      return '#/share';
    case 'timebank':
    case 'mentorship':
      return '#/skills';
    case 'regeneration':
      return '#/neighbourhood';
    case 'federation':
      return '#/links';
    case 'backups':
    case 'updates':
    case 'webhooks':
      return '#/steward';
    default:
      return null;
  }
}

/** The kinds a member sees in their choices, grouped as the hub groups them; the hub's own housekeeping only for stewards. */
export const KIND_LABEL: Record<NoteKind, Key> = {
  paid: 'kind_paid',
  'payment-requested': 'kind_payment_requested',
  'request-accepted': 'kind_request_answered',
  'request-rejected': 'kind_request_answered',
  'request-expired': 'kind_request_expired',
  'loan-due': 'kind_loan_due',
  'loan-overdue': 'kind_loan_overdue',
  'loan-returned': 'kind_loan_returned',
  'hold-ready': 'kind_hold_ready',
  'hold-lapsed': 'kind_hold_lapsed',
  'booking-reminder': 'kind_booking_reminder',
  'item-repair': 'kind_item_changed',
  'item-retired': 'kind_item_changed',
  'timebank-taken': 'kind_timebank',
  'timebank-hours-proposed': 'kind_timebank',
  'timebank-expiring': 'kind_timebank_expiring',
  mentorship: 'kind_mentorship',
  'regeneration-verified': 'kind_regeneration',
  'flow-allocation': 'kind_flow',
  'proposal-opened': 'kind_proposal_opened',
  'proposal-closing': 'kind_proposal_closing',
  'proposal-decided': 'kind_proposal_decided',
  'budget-round-opened': 'kind_budget',
  'budget-round-closed': 'kind_budget',
  'emergency-declared': 'kind_emergency',
  'emergency-ended': 'kind_emergency',
  'hub-link-changed': 'kind_hub_link',
  'join-attempt': 'kind_join_attempt',
  'storage-low': 'kind_storage',
  'storage-was-full': 'kind_storage',
  'backup-overdue': 'kind_backups',
  'backup-peer-overdue': 'kind_backups',
  'update-security': 'kind_updates',
  'update-proposed': 'kind_updates',
  'update-installed': 'kind_updates',
  'update-rolled-back': 'kind_updates',
  'webhook-disabled': 'kind_webhooks',
};
