import { refusals, refuser } from '../errors.js';

/** What notifications (push, webhooks) refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const NOTIFICATION_REFUSALS = refusals({
  'rule-broken': ['push-is-not-available', 'too-many-phones', 'too-many-webhooks'],
});

export const refuse = refuser(NOTIFICATION_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
export const CHANNELS = ['inbox', 'push', 'email', 'digest'] as const;
export type Channel = (typeof CHANNELS)[number];
/** The languages a phone's alerts can be worded in: the console's. */
export const ALERT_LANGUAGES = ['en', 'sv', 'es'] as const;
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];
