import { useEffect, useState } from 'preact/hooks';
import { get, type Schemas, type Answer, type BodyOf, send } from '../api.js';
import { Button, useActions, StatusLine, YesNo, type Said } from '../actions.js';
import { describeError, useApp } from '../app.js';
import { paramFromForm, paramLabel, paramValue } from '../governance-words.js';
import { ParamValueInput } from '../param-input.js';
import { AuditLogCard } from './audit-log.js';
import { HubHealth } from './hub-health.js';
import { SoftwareUpdates } from './software-updates.js';
import { BackupsCard } from './backups-card.js';
import { DownlinksCard } from './downlinks-card.js';
import { WebhooksCard } from './webhooks-card.js';
import { LimitApprovals } from './limit-approvals.js';
import { LibraryUse } from './library-use.js';

/**
 * The stewards' desk: people waiting to be admitted, regeneration work to
 * verify, the library's repairs and use, the sensors' health, the emergency
 * switch, and the community's parameters with what set each one. Loaded only
 * when a steward opens it.
 */
type Pending = Schemas['Member'];
type Report = Schemas['WorkReport'];
type DeviceRow = Answer<'/api/v1/devices'>[number];
type Param = Answer<'/api/v1/parameters'>[number];
type Ticket = Schemas['MaintenanceTicket'];
type Item = Schemas['LibraryItem'];
/** Where a ticket may go next: assess → parts / repairing → resolved or retired. */
const NEXT: Record<Ticket['state'], Ticket['state'][]> = {
  assess: ['parts', 'repairing', 'resolved', 'retired'],
  parts: ['repairing', 'retired'],
  repairing: ['resolved', 'retired'],
  resolved: [],
  retired: [],
};

type Crisis = Schemas['Crisis'];

/** A sensor that has said nothing for this long is shown as silent. */
const SILENT_MS = 2 * 3_600_000;

/** A steward's emergency change of a parameter: in force at once, logged, lapsing unless a proposal ratifies it. */
function EmergencyChange({ params, onDone }: { params: Param[]; onDone: () => Promise<void> }) {
  const { t, account } = useApp();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [days, setDays] = useState<number | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  useEffect(
    () =>
      void get('/governance/rules').then(
        (r) => setDays(r.emergencyDays),
        () => undefined,
      ),
    [],
  );
  if (!account) return null;
  const cur = account.currency;
  const param = params.find((p) => p.name === name);
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = paramFromForm(param?.value ?? 0, name, value, cur);
    if (typeof v === 'number' && Number.isNaN(v)) return setMsg({ ok: false, text: t.t('badNumber') });
    try {
      await send('post', '/parameters/emergency', { body: { name: name as BodyOf<'post', '/parameters/emergency'>['name'], value: v, reason } });
      setValue('');
      setReason('');
      // Said once the list below shows the new value.
      await onDone();
      setMsg({ ok: true, text: t.t('emergencyDone', { date: t.date(Date.now() + (days ?? 14) * 86_400_000) }) });
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <details>
      <summary>{t.t('emergencyTitle')}</summary>
      <form onSubmit={submit}>
        {days !== null && <p class="muted">{t.t('emergencyNote', { days })}</p>}
        <StatusLine msg={msg} />
        <ParamValueInput params={params} name={name} value={value} onName={setName} onValue={setValue} field="emergency" />
        <label>
          {t.t('emergencyReason')}
          <input name="emergency-reason" maxLength={500} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} required />
        </label>
        <Button type="submit" why={!param || value === '' || reason.trim() === '' ? t.t('whyFillIn') : null}>
          {t.t('emergencyApply')}
        </Button>
      </form>
    </details>
  );
}

export function StewardPage() {
  const { t, names, account, session } = useApp();
  const [pending, setPending] = useState<Pending[]>([]);
  const [reports, setReports] = useState<Report[]>([]);
  const [devices, setDevices] = useState<DeviceRow[]>([]);
  const [params, setParams] = useState<Param[]>([]);
  const [crisis, setCrisis] = useState<Crisis | null>(null);
  const [tickets, setTickets] = useState<Ticket[]>([]);
  const [items, setItems] = useState<Map<string, Item>>(new Map());
  const [proposals, setProposals] = useState<Map<string, string>>(new Map());
  const [note, setNote] = useState('');

  const load = async () => {
    const [m, r, d, p, c, pr, tk, it] = await Promise.all([
      get('/members', { query: { status: 'pending' } }),
      get('/regeneration', { query: { status: 'reported' } }),
      get('/devices'),
      get('/parameters'),
      get('/crisis'),
      get('/proposals'),
      get('/library/tickets', { query: { open: 'true' } }),
      get('/library/items'),
    ]);
    setTickets(tk);
    setItems(new Map(it.map((x) => [x.id, x])));
    setPending(m.members ?? []);
    setReports(r);
    setDevices(d);
    setParams(p);
    setCrisis(c.active);
    setProposals(new Map(pr.map((x) => [x.id, x.title])));
  };
  const { msg, act } = useActions(load);

  const setBy = (source: string) => {
    if (source === 'config') return t.t('setByConfig');
    if (source.startsWith('emergency:')) return t.t('setByEmergency');
    return t.t('setByProposal', { title: proposals.get(source) ?? source });
  };
  const now = Date.now();

  return (
    <>
      <h2>{t.t('stewardDesk')}</h2>
      <p>
        <a href="#/members">{t.t('membersLink')}</a>
      </p>
      <StatusLine msg={msg} />

      <section class="card" aria-labelledby="admit-h">
        <h3 id="admit-h">{t.t('waitingToJoin')}</h3>
        {pending.length === 0 && <p>{t.t('nothingYet')}</p>}
        <ul class="rows">
          {pending.map((m) => (
            <li>
              <strong>{m.name}</strong> <small class="muted">{m.email}</small>
              <br />
              <button onClick={() => act(() => send('post', '/members/{id}/admit', { params: { id: m.id }, body: {} }), t.t('admitted', { name: m.name }))}>
                {t.t('admit')}
              </button>
            </li>
          ))}
        </ul>
      </section>

      <section class="card" aria-labelledby="regen-h">
        <h3 id="regen-h">{t.t('regenToVerify')}</h3>
        {reports.length === 0 && <p>{t.t('nothingYet')}</p>}
        <ul class="rows">
          {reports.map((r) => (
            <li>
              <strong>{names.get(r.memberId) ?? r.memberId}</strong>: {t.plural(`regen_${r.kind}`, r.quantity)}
              <br />
              <small class="muted">
                {r.note} · {t.date(r.at)}
              </small>
              <YesNo
                yes={t.t('verify')}
                no={t.t('reject')}
                onAnswer={(accept) =>
                  act(() => send('post', '/regeneration/{id}/verify', { params: { id: r.id }, body: { accept } }), t.t(accept ? 'verified' : 'done'))
                }
              />
            </li>
          ))}
        </ul>
      </section>

      <section class="card" aria-labelledby="tickets-h">
        <h3 id="tickets-h">{t.t('maintenance')}</h3>
        {tickets.length === 0 && <p>{t.t('nothingYet')}</p>}
        <ul class="rows">
          {tickets.map((tk) => {
            const item = items.get(tk.itemId);
            return (
              <li data-testid="ticket">
                <strong>{item ? `${item.code} ${item.name}` : tk.itemId}</strong>: {tk.title}
                <br />
                <small class="muted">
                  {t.t(`ticket_${tk.state}` as 'ticket_assess')} · {t.date(tk.openedAt)}
                </small>
                <div class="filters">
                  {NEXT[tk.state].map((next) => (
                    <button
                      class={next === 'retired' ? 'secondary' : undefined}
                      onClick={() => act(() => send('post', '/library/tickets/{id}/state', { params: { id: tk.id }, body: { state: next } }), t.t('done'))}
                    >
                      {t.t(`toTicket_${next}` as 'toTicket_parts')}
                    </button>
                  ))}
                </div>
              </li>
            );
          })}
        </ul>
      </section>

      <LibraryUse />

      <LimitApprovals />

      <HubHealth />
      <BackupsCard admin={session.member.role === 'admin'} />
      <SoftwareUpdates />

      <AuditLogCard />
      <WebhooksCard />

      <section class="card" aria-labelledby="crisis-h">
        <h3 id="crisis-h">{t.t('emergency')}</h3>
        {crisis ? (
          <>
            <p class="banner" role="alert">
              {t.tx('emergencyActive', { note: crisis.note, date: t.date(crisis.declaredAt) })}
            </p>
            <button onClick={() => act(() => send('post', '/crisis/{id}/end', { params: { id: crisis.id } }), t.t('emergencyEnded'))}>
              {t.t('endEmergency')}
            </button>
          </>
        ) : (
          <>
            <p class="muted">{t.t('emergencyExplain')}</p>
            <label>
              {t.t('whatHappened')}
              <input name="crisis-note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} maxLength={500} />
            </label>
            <Button
              class="danger"
              why={note.trim().length === 0 ? t.t('whyFillIn') : null}
              onClick={() => act(() => send('post', '/crisis', { body: { note: note.trim() } }), t.t('emergencyDeclared'))}
            >
              {t.t('declareEmergency')}
            </Button>
          </>
        )}
        <p>
          <a href="#/phone-tree">{t.t('phoneTreeLink')}</a>
        </p>
      </section>

      <section class="card" aria-labelledby="devices-h">
        <h3 id="devices-h">{t.t('sensorsHealth')}</h3>
        <table tabIndex={0} aria-labelledby="devices-h">
          <thead>
            <tr>
              <th scope="col">{t.t('sensor')}</th>
              <th scope="col">{t.t('lastSeen')}</th>
              <th scope="col">{t.t('signal')}</th>
              <th scope="col">{t.t('errors')}</th>
            </tr>
          </thead>
          <tbody>
            {devices.map(({ device: d, health: h }) => {
              const silent = h.lastSeen === null || now - h.lastSeen > SILENT_MS;
              const errors = Object.values(h.errors).reduce((a, b) => a + b, 0);
              return (
                <tr class={silent ? 'silent' : undefined}>
                  <th scope="row">
                    {d.name}
                    {d.place && <small class="muted"> · {d.place}</small>}
                  </th>
                  <td>{h.lastSeen === null ? t.t('never') : `${t.ago(now - h.lastSeen)}${silent ? ` · ${t.t('silent')}` : ''}`}</td>
                  <td>
                    {h.rssi !== null ? `${h.rssi} dBm${h.snr !== null ? `, ${h.snr} dB` : ''}` : '—'}
                    {h.battery !== null ? ` · ${t.t('batteryShort', { n: h.battery })}` : ''}
                  </td>
                  <td>{errors}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <DownlinksCard devices={devices} />

      <section class="card" aria-labelledby="params-h">
        <h3 id="params-h">{t.t('parameters')}</h3>
        <EmergencyChange params={params} onDone={load} />
        <ul class="rows">
          {params.map((p) => (
            <li>
              {paramLabel(t, p.name)}: <strong>{paramValue(t, p.name, p.value, account?.currency)}</strong>{' '}
              <small class="muted">
                <code>{p.name}</code>
              </small>
              <br />
              <small class="muted">
                {setBy(p.source)}
                {p.since !== null ? ` · ${t.date(p.since)}` : ''}
              </small>
              {p.pending.map((c) => (
                <small class="muted">
                  <br />
                  {t.tx('paramPending', { value: paramValue(t, p.name, c.value, account?.currency), date: t.date(c.effectiveFrom), by: setBy(c.source) })}
                </small>
              ))}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
