import { useState } from 'preact/hooks';
import { StatusLine, type Said } from '../actions.js';
import { send } from '../api.js';
import { describeError, useApp } from '../app.js';

const MIN_LENGTH = 8;

/**
 * The member's own account: for now, choosing a new password. `required` is
 * the first sign-in with a one-time password (from the installer or a
 * steward), when nothing else opens until the member has chosen their own.
 */
export function AccountPage({ required, onChanged }: { required: boolean; onChanged: () => Promise<void> }) {
  const { t, session } = useApp();
  const [msg, setMsg] = useState<Said | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const next = String(f.get('new-password') ?? '');
    // Said here, before a round trip: a typo in the repeat would otherwise lock the member out of their new password.
    if (next !== f.get('repeat-password')) return setMsg({ ok: false, text: t.t('passwordsDiffer') });
    if (next.length < MIN_LENGTH) return setMsg({ ok: false, text: t.t('passwordTooShort', { n: MIN_LENGTH }) });
    try {
      await send('post', '/sessions/current/password', { body: { currentPassword: String(f.get('current-password') ?? ''), newPassword: next } });
      form.reset();
      await onChanged();
      setMsg({ ok: true, text: t.t('passwordChanged') });
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <>
      <h2>{required ? t.t('mustChangeTitle') : t.t('myAccount')}</h2>
      {required && <p>{t.t('mustChangeIntro')}</p>}
      <form class="card" onSubmit={submit} aria-labelledby="password-h">
        <h3 id="password-h">{t.t('changePassword')}</h3>
        {/* For password managers: which account this is. */}
        <input type="email" name="username" autocomplete="username" value={session.member.email} readOnly hidden />
        <label>
          {required ? t.t('oneTimePassword') : t.t('currentPassword')}
          <input name="current-password" type="password" autocomplete="current-password" required />
        </label>
        <label>
          {t.t('newPassword')}
          <input name="new-password" type="password" autocomplete="new-password" required />
        </label>
        <label>
          {t.t('repeatPassword')}
          <input name="repeat-password" type="password" autocomplete="new-password" required />
        </label>
        <StatusLine msg={msg} />
        <button type="submit">{t.t('changePassword')}</button>
      </form>
    </>
  );
}
