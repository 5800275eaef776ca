import type { T } from '../i18n.js';

type DayState = 'free' | 'partly' | 'busy';

/** The day the locale's week starts on, 1 (Monday) to 7 (Sunday), as Intl.Locale says where the browser knows. */
export function firstDayOfWeek(locale: string): number {
  const l = new Intl.Locale(locale) as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } };
  return l.getWeekInfo?.().firstDay ?? l.weekInfo?.firstDay ?? (/-(US|CA|JP|BR|MX|IL|PH)$/.test(locale) ? 7 : 1);
}

/** Local midnights from today, `n` of them: the phone's own days, whatever the clock change does to their length. */
export function localDays(now: number, n: number): number[] {
  const d = new Date(now);
  return Array.from({ length: n }, (_, i) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + i).getTime());
}

/** How much of a day the bookings take: a space booked for an evening is only partly taken. */
export function dayState(dayStart: number, dayEnd: number, busy: ReadonlyArray<{ from: number; to: number }>, bySlot: boolean): DayState {
  const taken = busy.reduce((a, b) => a + Math.max(0, Math.min(b.to, dayEnd) - Math.max(b.from, dayStart)), 0);
  return taken === 0 ? 'free' : bySlot && taken < dayEnd - dayStart ? 'partly' : 'busy';
}

/**
 * The next two weeks as a month calendar does it: weekday headers starting
 * on the locale's first day, today in its column, each day free, partly
 * booked or booked by colour and in words (for screen readers too), and a
 * key to the colours.
 */
export function Availability({
  t,
  busy,
  bySlot,
  now = Date.now(),
}: {
  t: T;
  busy: ReadonlyArray<{ from: number; to: number }>;
  bySlot: boolean;
  now?: number;
}) {
  const days = localDays(now, 15);
  const first = firstDayOfWeek(t.locale);
  // JS weekdays run 0 (Sunday) to 6; Intl's 1 (Monday) to 7.
  const column = (ms: number) => ((new Date(ms).getDay() || 7) - first + 7) % 7;
  const [today = now] = days;
  const lead = column(today);
  const weekday = new Intl.DateTimeFormat(t.locale, { weekday: 'short' });
  const long = new Intl.DateTimeFormat(t.locale, { weekday: 'long', day: 'numeric', month: 'long' });
  const dayMonth = new Intl.DateTimeFormat(t.locale, { day: 'numeric', month: 'short' });
  // Seven consecutive days from the week's first, for the headers.
  const headers = Array.from({ length: 7 }, (_, i) => weekday.format(new Date(today + (i - lead) * 86_400_000 + 43_200_000)));
  // Each day runs to the next one's start (the last of the 15 only ends the 14th).
  const states = days.slice(0, -1).map((d, i) => ({ d, state: dayState(d, days[i + 1] ?? d + 86_400_000, busy, bySlot) }));
  const word = (s: DayState) => t.t(s === 'partly' ? 'partlyBooked' : s);
  return (
    <>
      <div class="calendar" role="presentation" aria-hidden="true" data-testid="calendar-head">
        {headers.map((h) => (
          <span class="weekday">{h}</span>
        ))}
      </div>
      <ol class="calendar" aria-label={t.t('availability')} data-testid="calendar">
        {Array.from({ length: lead }, () => (
          <li class="pad" aria-hidden="true" />
        ))}
        {states.map(({ d, state }, i) => (
          <li class={i === 0 ? `${state} today` : state} title={word(state)} data-day={new Date(d).getDate()}>
            {/* The month beside today and a first of the month, so a 1 after 30 reads right. */}
            <span aria-hidden="true">{i === 0 || new Date(d).getDate() === 1 ? dayMonth.format(new Date(d)) : new Date(d).getDate()}</span>
            <span class="visually-hidden">
              {long.format(new Date(d))}: {word(state)}
            </span>
          </li>
        ))}
      </ol>
      <p class="calendar-key muted" data-testid="calendar-key">
        {/* Tools go by whole days: "partly booked" only for spaces and vehicles, booked by the hour. */}
        {(bySlot ? (['free', 'partly', 'busy'] as const) : (['free', 'busy'] as const)).map((s) => (
          <span>
            <i class={`swatch ${s}`} aria-hidden="true" /> {word(s)}
          </span>
        ))}
      </p>
    </>
  );
}
