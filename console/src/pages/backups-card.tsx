import { useEffect, useState } from 'preact/hooks';
import { get, type Answer, send } from '../api.js';
import { describeError, useApp } from '../app.js';

type Status = Answer<'/api/v1/backups'>;

/**
 * Backups, for stewards: the last one per destination (the hub itself, a
 * USB stick labelled HYPHAE-BACKUP, each linked hub that keeps ours) and a
 * warning when one is overdue; and what this hub keeps for its linked hubs.
 * Admins choose the passphrase backups are sealed with, once, and can make
 * one now.
 */
export function BackupsCard({ admin }: { admin: boolean }) {
  const { t } = useApp();
  const [s, setS] = useState<Status | null>(null);
  const [pass, setPass] = useState('');
  const [msg, setMsg] = useState<{ text: string; alert: boolean } | null>(null);
  const load = () => void get('/backups').then(setS, (e: unknown) => setMsg({ text: describeError(t, e), alert: true }));
  useEffect(load, []);
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ text: done, alert: false });
      load();
    } catch (e) {
      setMsg({ text: describeError(t, e), alert: true });
    }
  };
  const when = (at: number) => t.ago(Date.now() - at);
  return (
    <section class="card" aria-labelledby="backups-h" data-testid="backups">
      <h3 id="backups-h">{t.t('backupsTitle')}</h3>
      {s && (
        <ul class="rows">
          <li class={s.overdue ? 'warn' : undefined} data-testid="backup-local" data-overdue={String(s.overdue)}>
            <strong>{t.t('backupOnHub')}</strong>:{' '}
            {s.local ? t.t('backupLast', { ago: when(s.local.at), count: s.files.length }) : s.passphraseSet ? t.t('backupNone') : t.t('backupNoPassphrase')}
            {s.overdue && (
              <>
                <br />
                <small>{t.t('backupOverdue')}</small>
              </>
            )}
          </li>
          <li data-testid="backup-usb">
            <strong>{t.t('backupOnUsb')}</strong>: {s.usb ? t.t('backupUsbLast', { ago: when(s.usb.at), count: s.usb.copies }) : t.t('backupUsbNever')}
          </li>
          {s.peers.map((p) => (
            <li key={p.hubId} class={p.overdue ? 'warn' : undefined} data-testid="backup-peer" data-overdue={String(p.overdue)}>
              <strong>{t.tx('backupOnPeer', { hub: p.name })}</strong>: {p.at ? t.t('backupPeerLast', { ago: when(p.at) }) : t.t('backupPeerNever')}
              {p.error && (
                <>
                  <br />
                  <small>{t.t('backupPeerFailing', { why: p.error })}</small>
                </>
              )}
              {p.overdue && (
                <>
                  <br />
                  <small>{t.t('backupPeerOverdue')}</small>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {s && s.peers.length > 0 && <p>{t.t('backupRecoveryHint')}</p>}
      {s && s.kept.length > 0 && (
        <ul class="rows" data-testid="backups-kept">
          {s.kept.map((k) => (
            <li key={k.hubId}>{t.tx('backupKeptFor', { count: k.count, size: `${t.num(k.bytes / 1_048_576, 1)} MiB`, hub: k.name })}</li>
          ))}
        </ul>
      )}
      {admin && s && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => send('put', '/backups/passphrase', { body: { passphrase: pass } }), t.t('backupPassphraseSaved')).then(() => setPass(''));
          }}
        >
          <label>
            {s.passphraseSet ? t.t('backupChangePassphrase') : t.t('backupChoosePassphrase')}
            <input
              type="password"
              autocomplete="new-password"
              minLength={8}
              required
              value={pass}
              onInput={(e) => setPass((e.currentTarget as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">{t.t('backupSave')}</button>
          {s.passphraseSet && (
            <button type="button" class="secondary" onClick={() => void act(() => send('post', '/backups'), t.t('backupMade'))}>
              {t.t('backupNow')}
            </button>
          )}
        </form>
      )}
      {msg && <p role={msg.alert ? 'alert' : 'status'}>{msg.text}</p>}
    </section>
  );
}
