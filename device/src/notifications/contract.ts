import { refuser, type Refusals } from '../errors.js';

/**
 * What notifications (push, webhooks) refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const NOTIFICATION_REFUSALS = {
  'push-is-not-available': { status: 422, type: 'rule-broken', title: 'Push is not available' },
  'too-many-phones': { status: 422, type: 'rule-broken', title: 'Too many phones' },
  'too-many-webhooks': { status: 422, type: 'rule-broken', title: 'Too many webhooks' },
} as const satisfies Refusals;

export const refuse = refuser(NOTIFICATION_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const CHANNELS = ['inbox', 'push', 'email', 'digest'] as const;
export type Channel = (typeof CHANNELS)[number];
/** The languages a phone's alerts can be worded in: the console's. */
export const ALERT_LANGUAGES = ['en', 'sv', 'es'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];
