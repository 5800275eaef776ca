import { useState } from 'preact/hooks';
import { get, newKey, type Schemas, send } from '../api.js';
import { Button, useActions, StatusLine, YesNo } from '../actions.js';
import { useApp } from '../app.js';
import { parseDecimal, toMinor } from '../i18n.js';

/**
 * Other neighbourhoods: what they need and have spare, paying their members,
 * and for stewards the links themselves (status, last contact, queue, chain
 * heads, terms, pause and close), consent to regional proposals and
 * clearing between hubs. Loaded only when opened.
 */
type RegionHub = Schemas['RegionHub'];
type RegionalProposal = Schemas['RegionalProposal'];
type Link = Schemas['Link'];
type ClearingRun = Schemas['HubClearingRun'];

const short = (h: string) => h.slice(0, 10);
/** A typed exchange rate as the fraction the API takes, in thousandths: 1,25 becomes 1250/1000. */
const rateOf = (text: string) => ({ num: Math.round(parseDecimal(text) * 1000), den: 1000 });
const RESOURCES = ['food', 'water', 'power', 'labour', 'tool', 'medical'] as const;

export function LinksPage() {
  const { t, session, account } = useApp();
  const steward = session.member.role !== 'resident';
  const [hubId, setHubId] = useState('');
  const [region, setRegion] = useState<RegionHub[]>([]);
  const [proposals, setProposals] = useState<RegionalProposal[]>([]);
  const [links, setLinks] = useState<Link[]>([]);
  const [runs, setRuns] = useState<ClearingRun[]>([]);
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [payKey, setPayKey] = useState(() => newKey());
  const [token, setToken] = useState('');
  const [invite, setInvite] = useState<{ token: string; qrSvg: string } | null>(null);
  const [rate, setRate] = useState('1');
  const [plan, setPlan] = useState<Record<string, string>>({});
  const [terms, setTerms] = useState<Record<string, { rate: string; trustOut: string; trustIn: string; fee: string }>>({});

  const load = async () => {
    const [r, l, c] = await Promise.all([get('/federation/region'), get('/federation/links'), get('/federation/clearings')]);
    setRegion(r.hubs);
    setProposals(r.proposals);
    setLinks(l.links);
    setHubId(l.hubId);
    setRuns(c.runs);
  };
  const { msg, act } = useActions(load);

  const nameOf = (id: string) => (id === hubId ? t.t('thisHub') : (links.find((l) => l.hubId === id)?.name ?? short(id)));
  const cur = account?.currency;
  const minor = cur ? toMinor(amount, cur.minorUnits) : NaN;
  const rateText = (r: { num: number; den: number }, l: Link) =>
    t.t('rateValue', { theirs: (r.num / r.den).toLocaleString(t.locale, { maximumFractionDigits: 4 }), symbol: l.currency.symbol, ours: cur?.symbol ?? '' });
  const res = (r: string) => ((RESOURCES as readonly string[]).includes(r) ? t.t(`res_${r}` as 'res_food') : r);
  const crises = region.filter((h) => !h.self && h.summary.crisis);

  return (
    <>
      <h2>{t.t('otherHubs')}</h2>
      {crises.map((h) => (
        <p class="banner" role="alert">
          {t.tx('hubCrisis', { name: h.name, note: h.summary.crisis?.note ?? '' })}
        </p>
      ))}
      <StatusLine msg={msg} />

      <section class="card" aria-labelledby="region-h">
        <h3 id="region-h">{t.t('regionNeeds')}</h3>
        <table tabIndex={0} aria-labelledby="region-h">
          <thead>
            <tr>
              <th scope="col">{t.t('hub')}</th>
              <th scope="col">{t.t('needs')}</th>
              <th scope="col">{t.t('spare')}</th>
            </tr>
          </thead>
          <tbody>
            {region.map((h) => (
              <tr>
                <th scope="row">
                  {h.self ? t.t('thisHub') : <bdi>{h.name}</bdi>}
                  {h.receivedAt !== null && <small class="muted"> · {t.ago(Date.now() - h.receivedAt)}</small>}
                </th>
                <td>{h.summary.needs.map((q) => `${q.quantity} ${res(q.resource)}`).join(', ') || '—'}</td>
                <td>{h.summary.surpluses.map((q) => `${q.quantity} ${res(q.resource)}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {steward && (
          <button class="secondary" onClick={() => act(() => send('post', '/federation/region/solve'), t.t('solved'))}>
            {t.t('solveRegion')}
          </button>
        )}
        <ul class="rows">
          {proposals.map((p) => (
            <li>
              {t.t('movement', { quantity: p.quantity, resource: res(p.resource), from: nameOf(p.supplierHub), to: nameOf(p.receiverHub) })} —{' '}
              <strong>{t.t(p.status === 'agreed' ? 'agreed' : p.status === 'declined' ? 'declined' : 'awaitingConsent')}</strong>
              {steward && p.status === 'proposed' && !(hubId in p.consent) && (
                <YesNo
                  yes={t.t('consent')}
                  no={t.t('reject')}
                  onAnswer={(accept) =>
                    act(() => send('post', '/federation/region/proposals/{id}/consent', { params: { id: p.id }, body: { accept } }), t.t('done'))
                  }
                />
              )}
            </li>
          ))}
        </ul>
      </section>

      <section class="card" aria-labelledby="xpay-h">
        <h3 id="xpay-h">{t.t('payOtherHub')}</h3>
        <label>
          {t.t('address')}
          <input name="to" value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value.trim())} placeholder="member@hub" autocomplete="off" />
        </label>
        <label>
          {t.t('amount')} {cur ? `(${cur.symbol})` : ''}
          <input name="amount" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
        </label>
        <Button
          why={!to || !(minor > 0) ? t.t('whyFillIn') : null}
          onClick={async () => {
            // One key per payment: pressing again after a lost answer cannot pay twice.
            if (await act(() => send('post', '/federation/payments', { body: { to, amount: minor }, idempotencyKey: payKey }), t.t('sentAcross'))) {
              setPayKey(newKey());
              setAmount('');
            }
          }}
        >
          {t.t('send')}
        </Button>
      </section>

      <section class="card" aria-labelledby="links-h">
        <h3 id="links-h">{t.t('links')}</h3>
        {links.length === 0 && <p>{t.t('noLinks')}</p>}
        {links.map((l) => (
          <article class="link" aria-label={l.name}>
            <h4>
              <bdi>{l.name}</bdi> <small class="muted">{short(l.hubId)}</small>
            </h4>
            <dl>
              <dt>{t.t('status')}</dt>
              <dd data-testid="link-status">
                {t.t(`link_${l.status}` as 'link_active')}
                {l.remoteStatus !== 'active' && l.remoteStatus !== l.status
                  ? ` · ${t.t('theySay', { status: t.t(`link_${l.remoteStatus}` as 'link_active') })}`
                  : ''}
              </dd>
              <dt>{t.t('lastContact')}</dt>
              <dd>{l.lastContact ? t.ago(Date.now() - l.lastContact) : '—'}</dd>
              <dt>{t.t('queue')}</dt>
              <dd>{l.queue}</dd>
              <dt>{t.t('chainHeads')}</dt>
              <dd>
                <code>
                  ↑{l.outSeq} {short(l.outHead)} · ↓{l.inSeq} {short(l.inHead)}
                </code>
              </dd>
              <dt>{t.t('rate')}</dt>
              <dd>{rateText(l.rate, l)}</dd>
              <dt>{t.t('trustLimits')}</dt>
              <dd>{cur ? t.t('trustValue', { out: t.money(l.trustOut, cur), in: t.money(l.trustIn, cur) }) : `${l.trustOut} / ${l.trustIn}`}</dd>
              <dt>{t.t('routingFee')}</dt>
              <dd>{(l.feePpm / 10_000).toLocaleString(t.locale, { maximumFractionDigits: 2 })} %</dd>
              <dt>{t.t(l.clearingBalance > 0 ? 'weOwe' : 'theyOwe')}</dt>
              <dd>{cur ? t.money(Math.abs(l.clearingBalance), cur) : Math.abs(l.clearingBalance)}</dd>
              {l.settlement && (
                <>
                  <dt>{t.t('settlementPlan')}</dt>
                  <dd>{l.settlement.plan}</dd>
                </>
              )}
            </dl>
            {l.pendingTerms && (
              <p>
                {t.t(l.pendingTerms.proposedBy === 'them' ? 'termsFromThem' : 'termsFromUs', { rate: rateText(l.pendingTerms.rate, l) })}
                {steward && l.pendingTerms.proposedBy === 'them' && (
                  <YesNo
                    yes={t.t('acceptTerms')}
                    no={t.t('reject')}
                    onAnswer={(accept) =>
                      act(() => send('post', '/federation/links/{hubId}/terms/answer', { params: { hubId: l.hubId }, body: { accept } }), t.t('done'))
                    }
                  />
                )}
              </p>
            )}
            {steward && l.status !== 'closed' && (
              <div class="filters">
                {l.status === 'active' && (
                  <button
                    class="secondary"
                    onClick={() =>
                      act(() => send('put', '/federation/links/{hubId}/status', { params: { hubId: l.hubId }, body: { status: 'paused' } }), t.t('done'))
                    }
                  >
                    {t.t('pause')}
                  </button>
                )}
                {l.status === 'paused' && (
                  <button
                    onClick={() =>
                      act(() => send('put', '/federation/links/{hubId}/status', { params: { hubId: l.hubId }, body: { status: 'active' } }), t.t('done'))
                    }
                  >
                    {t.t('resume')}
                  </button>
                )}
                {l.status === 'active' && !l.pendingTerms && cur && (
                  <details>
                    <summary>{t.t('proposeTerms')}</summary>
                    {(() => {
                      const f = terms[l.hubId] ?? {
                        rate: String(l.rate.num / l.rate.den),
                        trustOut: String(l.trustOut / 10 ** cur.minorUnits),
                        trustIn: String(l.trustIn / 10 ** cur.minorUnits),
                        fee: String(l.feePpm / 10_000),
                      };
                      const set = (k: keyof typeof f) => (e: Event) => setTerms({ ...terms, [l.hubId]: { ...f, [k]: (e.target as HTMLInputElement).value } });
                      const ok =
                        [f.rate, f.trustOut, f.trustIn, f.fee].every((x) => Number.isFinite(parseDecimal(x)) && parseDecimal(x) >= 0) &&
                        parseDecimal(f.rate) > 0;
                      return (
                        <>
                          <label>
                            {t.t('rateInput')}
                            <input name={`rate-${l.hubId}`} inputMode="decimal" value={f.rate} onInput={set('rate')} />
                          </label>
                          <label>
                            {t.t('trustOutInput', { symbol: cur.symbol })}
                            <input name={`trust-out-${l.hubId}`} inputMode="decimal" value={f.trustOut} onInput={set('trustOut')} />
                          </label>
                          <label>
                            {t.t('trustInInput', { symbol: cur.symbol })}
                            <input name={`trust-in-${l.hubId}`} inputMode="decimal" value={f.trustIn} onInput={set('trustIn')} />
                          </label>
                          <label>
                            {t.t('feeInput')}
                            <input name={`fee-${l.hubId}`} inputMode="decimal" value={f.fee} onInput={set('fee')} />
                          </label>
                          <Button
                            why={!ok ? t.t('whyFillIn') : null}
                            onClick={() =>
                              act(
                                () =>
                                  send('put', '/federation/links/{hubId}/terms', {
                                    params: { hubId: l.hubId },
                                    body: {
                                      rate: rateOf(f.rate),
                                      trustOut: toMinor(f.trustOut, cur.minorUnits),
                                      trustIn: toMinor(f.trustIn, cur.minorUnits),
                                      feePpm: Math.round(parseDecimal(f.fee) * 10_000),
                                    },
                                  }),
                                t.t('termsSent'),
                              )
                            }
                          >
                            {t.t('sendTerms')}
                          </Button>
                        </>
                      );
                    })()}
                  </details>
                )}
                {l.status !== 'closing' && (
                  <>
                    <label>
                      {t.t('settlementPlan')}
                      <input value={plan[l.hubId] ?? ''} onInput={(e) => setPlan({ ...plan, [l.hubId]: (e.target as HTMLInputElement).value })} />
                    </label>
                    <button
                      class="secondary"
                      onClick={() =>
                        act(
                          () =>
                            send('post', '/federation/links/{hubId}/close', {
                              params: { hubId: l.hubId },
                              body: plan[l.hubId] ? { settlement: plan[l.hubId] } : {},
                            }),
                          t.t('done'),
                        )
                      }
                    >
                      {t.t('closeLink')}
                    </button>
                  </>
                )}
              </div>
            )}
          </article>
        ))}
      </section>

      {steward && (
        <section class="card" aria-labelledby="peer-h">
          <h3 id="peer-h">{t.t('newLink')}</h3>
          <button
            class="secondary"
            onClick={() =>
              act(async () => setInvite(await send('post', '/federation/invitations', { body: { trustOut: 100_000, trustIn: 100_000 } })), t.t('inviteMade'))
            }
          >
            {t.t('makeInvite')}
          </button>
          {invite && (
            <>
              <img data-testid="invite-qr" class="qr" alt={t.t('inviteQr')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(invite.qrSvg)}`} />
              <p>
                <code data-testid="invite-token" class="wrap">
                  {invite.token}
                </code>
              </p>
            </>
          )}
          <label>
            {t.t('theirInvite')}
            <input name="invitation" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value.trim())} autocomplete="off" />
          </label>
          <label>
            {t.t('rateInput')}
            <input name="rate" inputMode="decimal" value={rate} onInput={(e) => setRate((e.target as HTMLInputElement).value)} />
          </label>
          <Button
            why={token.length < 10 ? t.t('whyFillIn') : null}
            onClick={() => {
              return act(() => send('post', '/federation/links', { body: { token, rate: rateOf(rate), trustOut: 100_000, trustIn: 100_000 } }), t.t('linked'));
            }}
          >
            {t.t('acceptInvite')}
          </Button>
        </section>
      )}

      <section class="card" aria-labelledby="clear-h">
        <h3 id="clear-h">{t.t('hubClearing')}</h3>
        {steward && (
          <button class="secondary" onClick={() => act(() => send('post', '/federation/clearings'), t.t('clearingProposed'))}>
            {t.t('proposeClearing')}
          </button>
        )}
        <ul class="rows">
          {runs.map((r) => (
            <li>
              {r.cycle.map((h) => (links.some((l) => l.hubId === h) || h === hubId ? nameOf(h) : (r.names?.[h] ?? nameOf(h)))).join(' → ')} →{' '}
              {nameOf(r.cycle[0] ?? hubId)} —{' '}
              <strong>{t.t(r.status === 'committed' ? 'agreed' : r.status === 'declined' ? 'declined' : 'awaitingConsent')}</strong>
              {steward && r.status === 'proposed' && !(hubId in r.answers) && (
                <YesNo
                  yes={t.t('consent')}
                  no={t.t('reject')}
                  onAnswer={(accept) => act(() => send('post', '/federation/clearings/{id}/answer', { params: { id: r.id }, body: { accept } }), t.t('done'))}
                />
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
