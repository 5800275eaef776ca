import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { Button, StatusLine, useActions, useLoad, type Said } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { AskNeighbourhood } from './ask-neighbourhood.js';
import { DeskCard } from './desk-card.js';
import { ItemCard } from './item-card.js';
import { Availability, localDays } from './calendar.js';

type Item = Schemas['LibraryItem'];
// Only stewards add items: residents' first load does not carry the form.
const AddItem = lazy(() => import('./library-add.js').then((m) => m.AddItem));
const ItemStewarding = lazy(() => import('./item-stewarding.js').then((m) => m.ItemStewarding));
type Loan = Schemas['Loan'];
type Reservation = Schemas['Reservation'];
const DAY = 86_400_000;
const today = () => Math.floor(Date.now() / DAY) * DAY;

export function LibraryPage({ code }: { code: string | null }) {
  // Keyed by the item: moving from one item to another starts its page afresh (no message, dates or queue place carried over).
  return code ? <ItemPage key={code} code={code} /> : <Catalogue />;
}

function Catalogue() {
  const { t, account, session } = useApp();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [freeNow, setFreeNow] = useState(false);
  // The whole catalogue, once: names for my loans and the categories to filter by, whatever the search shows.
  const catalogue = useLoad(() => get('/library/items'));
  const all = catalogue.data ?? [];
  const found = useLoad(() => {
    const now = Date.now();
    return get('/library/items', { query: { q: q || undefined, category: category || undefined, ...(freeNow ? { from: now, to: now + DAY } : {}) } });
  }, [q, category, freeNow]);
  const items = found.data ?? [];
  const names = new Map(all.map((i) => [i.id, `${i.code} ${i.name}`]));
  const categories = [...new Set(all.map((i) => i.category))].sort((a, b) => a.localeCompare(b, t.locale));
  const myLoans = useLoad(() => get('/library/loans', { query: { open: 'true' } }));
  const loans = myLoans.data ?? [];
  const [bookings, setBookings] = useState<Reservation[]>([]);
  const loadBookings = async () => {
    const rs = await get('/library/reservations');
    setBookings(rs.filter((r) => r.status === 'booked' && r.to > Date.now()).sort((a, b) => a.from - b.from));
  };
  const { msg: said, act } = useActions(loadBookings);
  const cancel = (r: Reservation) => act(() => send('post', '/library/reservations/{id}/cancel', { params: { id: r.id } }), t.t('bookingCancelled'));
  // A renewal the hub refuses (others are waiting, no renewals left) is said beside the loans, not dropped.
  const renew = (l: Loan) =>
    act(async () => {
      await send('post', '/library/loans/{id}/renew', { params: { id: l.id } });
      await myLoans.reload();
    }, t.t('renewed'));
  const cur = account?.currency;
  return (
    <>
      <h2>{t.t('library')}</h2>
      {session.member.role !== 'resident' && (
        <p class="filters" data-testid="desk-links">
          <a class="button" href="#/desk">
            {t.t('deskOpenDesk')}
          </a>
          <a href="#/labels">{t.t('labelsPrint')}</a>
        </p>
      )}
      <StatusLine msg={found.msg ?? myLoans.msg ?? catalogue.msg} />
      {loans.length > 0 && (
        <section class="card" aria-labelledby="loans">
          <h3 id="loans">{t.t('myLoans')}</h3>
          <ul class="rows" data-testid="my-loans">
            {loans.map((l) => (
              <li>
                <bdi>{names.get(l.itemId) ?? l.itemId}</bdi> — {t.t('due', { date: t.date(l.dueAt) })}{' '}
                <button class="secondary" onClick={() => void renew(l)}>
                  {t.t('renew')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {/* Outside the list, which is gone once the last booking is cancelled. */}
      <StatusLine msg={said} />
      {bookings.length > 0 && (
        <section class="card" aria-labelledby="bookings-h">
          <h3 id="bookings-h">{t.t('myBookings')}</h3>
          <ul class="rows" data-testid="my-bookings">
            {bookings.map((r) => (
              <li>
                <bdi>{names.get(r.itemId) ?? r.itemId}</bdi> — {t.t('bookedWhen', { from: t.date(r.from), to: t.date(r.to) })}{' '}
                <button class="secondary" onClick={() => cancel(r)}>
                  {t.t('cancelBooking')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {session.member.role !== 'resident' && (
        <Suspense fallback={null}>
          <AddItem categories={categories} onAdded={() => void catalogue.reload()} />
        </Suspense>
      )}
      <label>
        {t.t('search')}
        <input type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t.t('category')}
        <select name="category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
          <option value="">{t.t('allCategories')}</option>
          {categories.map((c) => (
            <option value={c}>{c}</option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" name="free-now" checked={freeNow} onChange={(e) => setFreeNow((e.target as HTMLInputElement).checked)} /> {t.t('freeNow')}
      </label>
      {found.data && items.length === 0 && (q || category || freeNow) && <AskNeighbourhood what={q.trim()} />}
      <ul class="cards" data-testid="catalogue">
        {items.map((i) => (
          <ItemCard t={t} item={i} cur={cur} />
        ))}
      </ul>
    </>
  );
}

function ItemPage({ code }: { code: string }) {
  const { t, session, account } = useApp();
  const [data, setData] = useState<{ item: Item; busy: Array<{ from: number; to: number }>; holds: number; myPlace: number | null } | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const [start, setStart] = useState(() => new Date(today() + DAY).toISOString().slice(0, 10));
  const [days, setDays] = useState('2');
  const [slotFrom, setSlotFrom] = useState('18:00');
  const [slotTo, setSlotTo] = useState('20:00');
  const [problem, setProblem] = useState('');
  const steward = session.member.role !== 'resident';
  const load = async () => {
    // The calendar's days are the phone's own: from local midnight today, fifteen of them.
    const span = localDays(Date.now(), 16);
    const d = await get('/library/items/{item}', { params: { item: code }, query: { from: span[0], to: span[15] } });
    setData(d);
  };
  useEffect(() => void load(), [code]);
  if (!data) return <p aria-busy="true" />;
  const { item } = data;
  // `at`: said where the action was taken ('book': under the booking form).
  const done = (text: string, at?: string) => (setMsg({ ok: true, text, at }), load());
  const fail = (e: unknown, at?: string) => setMsg({ ok: false, text: describeError(t, e, account?.currency), at });
  // Tools are booked by whole days; spaces and vehicles by slots of the hour, in the phone's own time.
  const bySlot = item.slotMinutes < 1440;
  const reserve = async (e: Event) => {
    e.preventDefault();
    const from = bySlot ? new Date(`${start}T${slotFrom}`).getTime() : Date.parse(`${start}T00:00:00Z`);
    const to = bySlot ? new Date(`${start}T${slotTo}`).getTime() : from + Number(days) * DAY;
    if (bySlot && !(to > from)) return setMsg({ ok: false, text: t.t('endAfterStart'), at: 'book' });
    await send('post', '/library/items/{item}/reservations', { params: { item: item.code }, body: { from, to } }).then(
      () => done(t.t('reserved'), 'book'),
      (e) => fail(e, 'book'),
    );
  };
  const queue = (action: 'leave' | 'defer', said: 'holdLeft' | 'holdDeferred') =>
    send('post', `/library/items/{item}/holds/${action}`, { params: { item: item.code } }).then(() => done(t.t(said)), fail);
  const slots = bySlot ? slotTimes(item.slotMinutes) : [];
  const dayStart = new Date(`${start}T00:00`).getTime();
  const bookedThatDay = bySlot ? data.busy.filter((b) => b.from < dayStart + DAY && dayStart < b.to) : [];
  const time = (ms: number) => new Intl.DateTimeFormat(t.locale, { timeStyle: 'short' }).format(new Date(ms));
  return (
    <>
      <p>
        <a href="#/library">← {t.t('library')}</a>
      </p>
      <section class="card">
        <h2>
          {item.code} <bdi>{item.name}</bdi>
        </h2>
        {item.photos[0] && <img src={`/api/v1/library/photos/${item.photos[0]}`} alt={item.name} style="max-width:100%;border-radius:.5rem" />}
        <p>
          {item.category} · {item.location} · {t.t(`status_${item.status.replace('-', '_')}` as 'status_available')}
        </p>
        {account && (item.deposit > 0 || item.fee > 0) && (
          <p>
            {t.t('deposit', { amount: t.money(item.deposit, account.currency) })} · {t.t('fee', { amount: t.money(item.fee, account.currency) })}
          </p>
        )}
        <h3>{t.t('availability')}</h3>
        <Availability t={t} busy={data.busy} bySlot={bySlot} />
        <StatusLine msg={msg} />
        {data.myPlace !== null && (
          <div data-testid="my-place">
            <p>{t.tx('queuePlace', { place: data.myPlace, of: data.holds })}</p>
            <button type="button" class="secondary" onClick={() => queue('defer', 'holdDeferred')}>
              {t.t('holdDefer')}
            </button>{' '}
            <button type="button" class="secondary" onClick={() => queue('leave', 'holdLeft')}>
              {t.t('holdLeave')}
            </button>
          </div>
        )}
        <form onSubmit={reserve}>
          <label>
            {bySlot ? t.t('onDay') : t.t('startsOn')}
            <input type="date" name="start" value={start} onInput={(e) => setStart((e.target as HTMLInputElement).value)} required />
          </label>
          {bySlot ? (
            <>
              {bookedThatDay.length > 0 && (
                <p class="muted" data-testid="booked-that-day">
                  {t.t('alreadyBooked', { times: bookedThatDay.map((b) => `${time(b.from)}–${time(b.to)}`).join(', ') })}
                </p>
              )}
              <div class="filters">
                <label>
                  {t.t('fromTime')}
                  <select name="slot-from" value={slotFrom} onChange={(e) => setSlotFrom((e.target as HTMLSelectElement).value)}>
                    {slots.map((s) => (
                      <option value={s}>{s}</option>
                    ))}
                  </select>
                </label>
                <label>
                  {t.t('toTime')}
                  <select name="slot-to" value={slotTo} onChange={(e) => setSlotTo((e.target as HTMLSelectElement).value)}>
                    {slots.map((s) => (
                      <option value={s}>{s}</option>
                    ))}
                  </select>
                </label>
              </div>
            </>
          ) : (
            <label>
              {t.t('days')}
              <input type="number" min="1" max="30" value={days} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
            </label>
          )}
          <button type="submit">{t.t('reserve')}</button> {/* A queue is for a thing that is out, and one place in it is enough. */}
          {item.status === 'on-loan' && data.myPlace === null && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                send('post', '/library/items/{item}/holds/join', { params: { item: item.code } }).then(
                  () => done(t.t('holdJoined'), 'book'),
                  (e) => fail(e, 'book'),
                )
              }
            >
              {t.t('hold')}
            </button>
          )}
          <StatusLine msg={msg} at="book" />
        </form>
        <details>
          <summary>{t.t('problem')}</summary>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void send('post', '/library/items/{item}/tickets', { params: { item: item.code }, body: { title: problem.trim() } }).then(
                () => (setProblem(''), done(t.t('reported'))),
                fail,
              );
            }}
          >
            <label>
              {t.t('problemWhat')}
              <textarea name="problem" rows={2} maxLength={200} value={problem} onInput={(e) => setProblem((e.target as HTMLTextAreaElement).value)} required />
            </label>
            <Button type="submit" class="secondary" why={problem.trim() === '' ? t.t('whyFillIn') : null}>
              {t.t('problemSend')}
            </Button>
          </form>
        </details>
      </section>
      {steward && <DeskCard key={item.id} item={item} onChanged={() => void load()} />}
      {steward && (
        <Suspense fallback={null}>
          <ItemStewarding key={item.code} item={item} onChanged={load} />
        </Suspense>
      )}
    </>
  );
}

/** The start of every slot in a day, "00:00" to the last one, for slots of `minutes`. */
function slotTimes(minutes: number): string[] {
  const out: string[] = [];
  for (let m = 0; m < 1440; m += minutes) out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  return out;
}
