import type { Schemas } from './api.js';
import type { Key, T } from './i18n.js';

export type Issue = Schemas['ValidationIssue'];

/**
 * The fields the hub's forms send, by their name in the API: a validation
 * refusal names the field as the member knows it. A field not listed here
 * is named as the API names it, which is still better than no name.
 */
const FIELD: Record<string, Key> = {
  amount: 'field_amount',
  memo: 'field_memo',
  title: 'field_title',
  description: 'field_description',
  email: 'field_email',
  name: 'field_name',
  password: 'field_password',
  newPassword: 'field_password',
  currentPassword: 'field_password',
  hours: 'field_hours',
  quantity: 'field_quantity',
  note: 'field_note',
  litres: 'field_litres',
  days: 'field_days',
  url: 'field_url',
  category: 'field_category',
  location: 'field_location',
  deposit: 'field_deposit',
  fee: 'field_fee',
  budget: 'field_budget',
  code: 'field_code',
  contact: 'field_contact',
  reason: 'field_reason',
  body: 'field_text',
  text: 'field_text',
  place: 'field_place',
  from: 'field_from',
  to: 'field_to',
  replacementValue: 'field_replacement_value',
};

/**
 * One validation issue in the member's language: the field and the reason,
 * from zod's code and the bound the hub sent with it ("Title: at most 80
 * characters"), never "please check what you entered".
 */
export function describeIssue(t: T, issue: Issue): string {
  const name = issue.path.split('.').at(-1) ?? '';
  const key = FIELD[name];
  const field = key ? t.t(key) : issue.path || t.t('field_text');
  const n = issue.minimum ?? issue.maximum ?? 0;
  // Money travels in minor units: a bound of "1" there would mislead, so amounts get their own words.
  if (name === 'amount' && (issue.code === 'too_small' || issue.code === 'too_big')) return t.t('issue_amount', { field });
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return n <= 1 ? t.t('issue_required', { field }) : t.t('issue_too_short', { field, n });
      if (issue.origin === 'array' || issue.origin === 'set') return t.t('issue_too_few', { field, n });
      return t.t('issue_too_small', { field, n: t.num(n, 2) });
    case 'too_big':
      if (issue.origin === 'string') return t.t('issue_too_long', { field, n });
      if (issue.origin === 'array' || issue.origin === 'set') return t.t('issue_too_many', { field, n });
      return t.t('issue_too_big', { field, n: t.num(n, 2) });
    case 'invalid_type':
      if (/received undefined/.test(issue.message)) return t.t('issue_required', { field });
      return issue.expected === 'int' ? t.t('issue_whole', { field }) : t.t('issue_wrong_kind', { field });
    case 'invalid_format':
      return issue.format === 'email' ? t.t('issue_email', { field }) : issue.format === 'url' ? t.t('issue_url', { field }) : t.t('issue_form', { field });
    case 'invalid_value':
      return t.t('issue_choice', { field });
    default:
      return t.t('issue_other', { field, message: issue.message });
  }
}
