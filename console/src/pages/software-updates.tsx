import { useEffect, useState } from 'preact/hooks';
import { get, type Answer, send } from '../api.js';
import { describeError, useApp } from '../app.js';

type Status = Answer<'/api/v1/updates'>;

/**
 * The hub's software, for stewards: the version it runs, what the last
 * update did, updates received and where each stands, and an upload for a
 * signed update file someone brought on a laptop. A regular release becomes a
 * proposal that everyone votes on; a security release installs at once.
 */
export function SoftwareUpdates() {
  const { t } = useApp();
  const [s, setS] = useState<Status | null>(null);
  const [msg, setMsg] = useState<{ text: string; alert: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => void get('/updates').then(setS, (e: unknown) => setMsg({ text: describeError(t, e), alert: true }));
  useEffect(load, []);
  const upload = async (file: File) => {
    setBusy(true);
    setMsg(null);
    try {
      const r = await send('post', '/updates', { body: new Blob([file], { type: 'application/octet-stream' }) });
      setMsg({ text: r.security ? t.t('updateSecurityStaged', { version: r.version }) : t.t('updateProposed', { version: r.version }), alert: false });
      load();
    } catch (e) {
      setMsg({ text: describeError(t, e), alert: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="updates-h" data-testid="software-updates">
      <h3 id="updates-h">{t.t('updatesTitle')}</h3>
      {s && (
        <>
          <p>
            {t.t('updatesRunning', { version: s.running })}
            {s.lastResult && (
              <>
                <br />
                <small class={s.lastResult.outcome === 'installed' ? 'muted' : 'warn'} data-testid="update-last-result">
                  {s.lastResult.outcome === 'installed'
                    ? t.t('updateInstalled', { version: s.lastResult.version })
                    : t.t('updateRolledBack', { version: s.lastResult.version, why: s.lastResult.detail })}
                </small>
              </>
            )}
          </p>
          {s.updates.length > 0 && (
            <ul class="rows">
              {s.updates.map((u) => (
                <li key={u.version} data-testid="update" data-state={u.state}>
                  <strong>{u.version}</strong> · {t.t(`updateState_${u.state.replace(/-/g, '_')}` as 'updateState_staged')}
                  {u.security && <> · {t.t('updateSecurity')}</>}
                  {u.proposalId && u.state === 'awaiting-decision' && (
                    <>
                      {' '}
                      · <a href={`#/proposals/${u.proposalId}`}>{t.t('updateSeeProposal')}</a>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          {s.enabled ? (
            <label>
              {t.t('updateUpload')}
              <input
                type="file"
                accept=".hyphae-update"
                disabled={busy}
                onChange={(e) => {
                  const f = (e.currentTarget as HTMLInputElement).files?.[0];
                  if (f) void upload(f);
                }}
              />
            </label>
          ) : (
            <p class="muted">{t.t('updatesOff')}</p>
          )}
        </>
      )}
      {msg && <p role={msg.alert ? 'alert' : 'status'}>{msg.text}</p>}
    </section>
  );
}
