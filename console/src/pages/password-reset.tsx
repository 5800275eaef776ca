import { useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { MemberPicker } from '../member-picker.js';

/**
 * A steward gives a member who has lost their password a one-time one. It
 * is shown here once, to be handed over in person; the hub keeps only its
 * hash, and the member must choose their own at the next sign-in.
 */
export function PasswordReset() {
  const { t, names, session } = useApp();
  const [who, setWho] = useState<string | null>(null);
  const [given, setGiven] = useState<{ name: string; password: string } | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const reset = async (e: Event) => {
    e.preventDefault();
    if (!who) return;
    setGiven(null);
    try {
      const r = await send('post', '/members/{id}/password-reset', { params: { id: who } });
      setMsg(null);
      setGiven({ name: names.get(who) ?? who, password: r.oneTimePassword });
      setWho(null);
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <form class="card" onSubmit={reset} aria-labelledby="reset-h">
      <h3 id="reset-h">{t.t('resetPasswordTitle')}</h3>
      <p>{t.t('resetPasswordIntro')}</p>
      <MemberPicker label={t.t('whoLostPassword')} value={who} onChange={setWho} exclude={session.member.id} />
      <StatusLine msg={msg} />
      {given && (
        <p role="status" class="ok" data-testid="one-time-password">
          {t.tx('oneTimeFor', { name: given.name })} <code class="one-time">{given.password}</code> {t.t('shownOnlyNow')}
        </p>
      )}
      <Button type="submit" why={!who ? t.t('whyFillIn') : null}>
        {t.t('resetPasswordButton')}
      </Button>
    </form>
  );
}
