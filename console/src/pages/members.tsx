import { useState } from 'preact/hooks';
import { StatusLine, useActions } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';
import { MemberLimits } from './member-limits.js';
import { PasswordReset } from './password-reset.js';

type Member = Schemas['Member'];
type Invite = Schemas['Invite'];
type NewInvite = Invite & { joinUrl: string; qrSvg: string };
const ROLES = ['resident', 'steward', 'admin'] as const satisfies ReadonlyArray<Member['role']>;
const STATUSES = ['active', 'suspended', 'pending'] as const satisfies ReadonlyArray<Member['status']>;

/**
 * The stewards' members page: inviting neighbours (a code, a link and a QR
 * code to scan), the invites not yet used, everyone with their role and
 * status, suspending and reinstating, and a one-time password for whoever
 * lost theirs. Admins also change roles. Loaded only when a steward opens it.
 */
export function MembersPage() {
  const { t, session } = useApp();
  const isAdmin = session.member.role === 'admin';
  const [members, setMembers] = useState<Member[]>([]);
  const [invites, setInvites] = useState<Invite[]>([]);
  const [fresh, setFresh] = useState<NewInvite | null>(null);
  const [note, setNote] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'' | Member['status']>('');
  const [reasons, setReasons] = useState<Record<string, string>>({});
  // The one member whose credit is open: each opens its own requests, so only on demand.
  const [creditOf, setCreditOf] = useState<string | null>(null);
  // Who is put first in an emergency: a flag only stewards see.
  const [vulnerable, setVulnerable] = useState<Set<string>>(new Set());

  const load = async () => {
    // Everyone once: a neighbourhood's members fit on a phone, and filtering here costs no round trip over the mesh.
    const [m, inv, first] = await Promise.all([get('/members'), get('/invites'), get('/crisis/vulnerable')]);
    setVulnerable(new Set(first));
    setMembers((m.members ?? []).sort((a, b) => a.name.localeCompare(b.name, t.locale)));
    const now = Date.now();
    setInvites(inv.filter((i) => !i.usedBy && i.expiresAt > now));
  };
  const { msg, act } = useActions(load);

  const invite = () =>
    act(async () => {
      setFresh(await send('post', '/invites', { body: note.trim() ? { note: note.trim() } : {} }));
      setNote('');
    }, t.t('inviteCreated'));

  const shown = members.filter((m) => (!status || m.status === status) && (!q || m.name.toLowerCase().includes(q.toLowerCase())));

  return (
    <>
      <h2>{t.t('membersTitle')}</h2>
      <StatusLine msg={msg} />

      <section class="card" aria-labelledby="invite-h">
        <h3 id="invite-h">{t.t('inviteNeighbour')}</h3>
        <label>
          {t.t('inviteFor')}
          <input name="invite-note" value={note} maxLength={200} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        <button onClick={invite}>{t.t('createInvite')}</button>
        {fresh && (
          <div data-testid="new-invite">
            <p>
              {t.t('inviteCodeIs')} <code class="one-time">{fresh.code}</code>
            </p>
            <img data-testid="join-qr" class="qr" alt={t.t('joinQr')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(fresh.qrSvg)}`} />
            <p>
              <code class="wrap" data-testid="join-url">
                {fresh.joinUrl}
              </code>
            </p>
            <p class="muted">{t.t('inviteValidUntil', { date: t.date(fresh.expiresAt) })}</p>
          </div>
        )}
        {invites.length > 0 && (
          <>
            <h4>{t.t('openInvites')}</h4>
            <ul class="rows" data-testid="open-invites">
              {invites.map((i) => (
                <li>
                  <code>{i.code}</code> {i.note && <span>— {i.note}</span>}
                  <br />
                  <small class="muted">{t.t('inviteValidUntil', { date: t.date(i.expiresAt) })}</small>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section class="card" aria-labelledby="everyone-h">
        <h3 id="everyone-h">{t.t('everyone', { n: members.length })}</h3>
        <div class="filters">
          <label>
            {t.t('findByName')}
            <input type="search" name="member-q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            {t.t('memberStatus')}
            <select name="member-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Member['status'])}>
              <option value="">{t.t('allStatuses')}</option>
              {STATUSES.map((s) => (
                <option value={s}>{t.t(`mstatus_${s}`)}</option>
              ))}
            </select>
          </label>
        </div>
        <ul class="rows" data-testid="members">
          {shown.map((m) => {
            const self = m.id === session.member.id;
            // Stewards act on residents; only an admin acts on stewards and admins (the hub refuses the rest too).
            const mayAct = !self && (isAdmin || m.role === 'resident');
            return (
              <li data-member={m.name}>
                <strong>
                  <bdi>{m.name}</bdi>
                </strong>{' '}
                <small class="muted">{m.email}</small>
                <br />
                <small>
                  {t.t(`role_${m.role}`)} · {t.t(`mstatus_${m.status}`)}
                  {m.admittedAt ? ` · ${t.t('memberSince', { date: t.day(m.admittedAt) })}` : ''}
                </small>
                {m.status === 'active' && (
                  <label class="check">
                    <input
                      type="checkbox"
                      name={`vulnerable-${m.id}`}
                      checked={vulnerable.has(m.id)}
                      onChange={(e) => {
                        const on = (e.target as HTMLInputElement).checked;
                        void act(
                          () => send('put', '/members/{id}/vulnerable', { params: { id: m.id }, body: { vulnerable: on } }),
                          t.t(on ? 'vulnerableOn' : 'vulnerableOff', { name: m.name }),
                        );
                      }}
                    />{' '}
                    {t.t('vulnerableLabel')}
                  </label>
                )}
                {m.status === 'active' && (
                  <details
                    open={creditOf === m.id}
                    onToggle={(e) => setCreditOf((e.target as HTMLDetailsElement).open ? m.id : creditOf === m.id ? null : creditOf)}
                  >
                    <summary>{t.tx('creditOf', { name: m.name })}</summary>
                    {creditOf === m.id && <MemberLimits id={m.id} name={m.name} />}
                  </details>
                )}
                {mayAct && m.status === 'active' && (
                  <details>
                    <summary>{t.tx('suspendWho', { name: m.name })}</summary>
                    <label>
                      {t.t('suspendReason')}
                      <input
                        name={`reason-${m.id}`}
                        value={reasons[m.id] ?? ''}
                        maxLength={500}
                        onInput={(e) => setReasons({ ...reasons, [m.id]: (e.target as HTMLInputElement).value })}
                      />
                    </label>
                    <button
                      class="secondary"
                      onClick={() =>
                        act(
                          () =>
                            send('post', '/members/{id}/suspend', {
                              params: { id: m.id },
                              body: reasons[m.id]?.trim() ? { reason: reasons[m.id]?.trim() } : {},
                            }),
                          t.t('suspendedNow', { name: m.name }),
                        )
                      }
                    >
                      {t.t('suspend')}
                    </button>
                  </details>
                )}
                {mayAct && m.status === 'suspended' && (
                  <div>
                    <button
                      onClick={() =>
                        act(() => send('post', '/members/{id}/reinstate', { params: { id: m.id }, body: {} }), t.t('reinstatedNow', { name: m.name }))
                      }
                    >
                      {t.t('reinstate')}
                    </button>
                  </div>
                )}
                {isAdmin && !self && m.status !== 'pending' && (
                  <label>
                    {t.tx('roleOf', { name: m.name })}
                    <select
                      name={`role-${m.id}`}
                      value={m.role}
                      onChange={(e) => {
                        const role = (e.target as HTMLSelectElement).value as Member['role'];
                        void act(
                          () => send('put', '/members/{id}/role', { params: { id: m.id }, body: { role } }),
                          t.t('roleChanged', { name: m.name, role: t.t(`role_${role}`) }),
                        );
                      }}
                    >
                      {ROLES.map((r) => (
                        <option value={r}>{t.t(`role_${r}`)}</option>
                      ))}
                    </select>
                  </label>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <PasswordReset />
    </>
  );
}
