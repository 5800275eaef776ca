import { useState } from 'preact/hooks';
import { StatusLine, useActions } from '../actions.js';
import { get, type Answer, type Schemas, send } from '../api.js';
import { counterparty, useApp } from '../app.js';
import { KIND_LABEL, noteHref, noteText, type Note, type NoteKind } from '../notes.js';
import type { Key, T } from '../i18n.js';
import { AlertsCard } from './alerts-card.js';

type Prefs = Answer<'/api/v1/notifications/preferences'>;
type Channel = Schemas['NotificationChannel'];

/** "Today", "Yesterday", or the date: the heading of one day's notifications. */
function dayHeading(t: T, at: number, now: number): string {
  const start = (ms: number) => new Date(new Date(ms).toDateString()).getTime();
  const days = Math.round((start(now) - start(at)) / 86_400_000);
  return days === 0
    ? t.t('today')
    : days === 1
      ? t.t('yesterday')
      : new Intl.DateTimeFormat(t.locale, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(at));
}

/**
 * Everything the hub has told this member, newest first and grouped by day,
 * each in the member's language and leading to what it is about; and how
 * each kind reaches them besides (an alert on their phone, email at once,
 * a daily digest).
 */
export function InboxPage({ onRead }: { onRead: () => void }) {
  const { t, account, names, session } = useApp();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const { msg, act } = useActions(async () => setNotes(await get('/notifications', { query: { limit: 200 } })), onRead);
  const who = (id: string) => counterparty(t, names, id);
  const words = { t, cur: account?.currency, who };
  if (!notes) return <p aria-busy="true" />;
  const now = Date.now();
  const days: Array<{ heading: string; items: Note[] }> = [];
  for (const n of notes) {
    const heading = dayHeading(t, n.at, now);
    const last = days.at(-1);
    if (last?.heading === heading) last.items.push(n);
    else days.push({ heading, items: [n] });
  }
  const unread = notes.filter((n) => !n.read).length;
  const open = async (n: Note) => {
    if (!n.read) await send('post', '/notifications/read', { body: { ids: [n.id] } }).then(onRead, () => undefined);
  };
  return (
    <>
      <h2>{t.t('inbox')}</h2>
      <StatusLine msg={msg} />
      {unread > 0 && (
        <p>
          <button class="secondary" onClick={() => act(() => send('post', '/notifications/read', { body: { all: true } }), t.t('choicesSaved'))}>
            {t.t('markAllRead')}
          </button>
        </p>
      )}
      {notes.length === 0 && <p>{t.t('noNotes')}</p>}
      {days.map((d) => (
        <section class="card" aria-label={d.heading} data-testid="inbox-day">
          <h3>{d.heading}</h3>
          <ul class="rows">
            {d.items.map((n) => {
              const href = noteHref(n);
              const text = noteText(n, words);
              const time = new Intl.DateTimeFormat(t.locale, { timeStyle: 'short' }).format(new Date(n.at));
              return (
                <li class={n.read ? 'note' : 'note unread'} data-testid="inbox-note" data-kind={n.kind}>
                  {!n.read && <span class="visually-hidden">{t.t('unreadMark')}: </span>}
                  {href ? (
                    <a href={href} onClick={() => void open(n)}>
                      {text}
                    </a>
                  ) : (
                    <span>{text}</span>
                  )}{' '}
                  <time class="muted" dateTime={new Date(n.at).toISOString()}>
                    {time}
                  </time>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      <Choices steward={session.member.role !== 'resident'} />
    </>
  );
}

/** One row per kind as people think of it (a request paid or turned down is one choice); emergencies locked to every channel. */
function Choices({ steward }: { steward: boolean }) {
  const { t } = useApp();
  const [prefs, setPrefs] = useState<Prefs | null>(null);
  const load = async () => setPrefs(await get('/notifications/preferences'));
  const { msg, act } = useActions(load);
  if (!prefs) return null;
  // Only the channels this hub has: alerts need push (internet and https), email a relay.
  const channels: Channel[] = ['inbox', ...(prefs.pushAvailable ? (['push'] as const) : []), ...(prefs.emailAvailable ? (['email', 'digest'] as const) : [])];
  const HUB_ONLY = new Set<Key>(['kind_storage', 'kind_backups', 'kind_updates', 'kind_hub_link', 'kind_webhooks']);
  const rows = new Map<Key, { kinds: NoteKind[]; channel: Channel; mandatory: boolean }>();
  for (const k of prefs.kinds) {
    const label = KIND_LABEL[k.kind];
    if (HUB_ONLY.has(label) && !steward) continue;
    const row = rows.get(label) ?? { kinds: [], channel: k.channel, mandatory: k.mandatory };
    row.kinds.push(k.kind);
    rows.set(label, row);
  }
  const choose = (kinds: NoteKind[], channel: Channel) =>
    act(
      async () => setPrefs(await send('put', '/notifications/preferences', { body: { channels: Object.fromEntries(kinds.map((k) => [k, channel])) } })),
      t.t('choicesSaved'),
    );
  return (
    <section class="card" aria-labelledby="reach">
      <h3 id="reach">{t.t('howTheyReach')}</h3>
      <p class="muted">{prefs.emailAvailable ? t.t('howTheyReachHelp') : t.t('emailNotSetUp')}</p>
      <AlertsCard onChange={() => void load().catch(() => undefined)} />
      <StatusLine msg={msg} />
      <ul class="rows">
        {[...rows.entries()].map(([label, row]) => (
          <li class="choice">
            <label>
              <span>{t.t(label)}</span>{' '}
              {row.mandatory ? (
                <strong>{t.t('alwaysEveryChannel')}</strong>
              ) : (
                <select
                  value={row.channel}
                  disabled={channels.length < 2}
                  onChange={(e) => void choose(row.kinds, (e.target as HTMLSelectElement).value as Channel)}
                  data-testid={`channel-${row.kinds[0]}`}
                >
                  {channels.map((c) => (
                    <option value={c}>{t.t(`channel_${c}`)}</option>
                  ))}
                </select>
              )}
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
