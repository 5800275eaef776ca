import { useEffect, useState } from 'preact/hooks';
import { setCsrf, send } from '../api.js';
import { describeError } from '../app.js';
import type { T } from '../i18n.js';

/**
 * What a phone's captive-portal sheet shows first: whose hub this is, that
 * there is no internet here, how to join, and a way to keep the Wi-Fi
 * without signing in (the portal is released for this phone).
 */
function Welcome({ t }: { t: T }) {
  const [hub, setHub] = useState<string | null>(null);
  const [released, setReleased] = useState(false);
  useEffect(() => {
    void fetch('/api/v1/health')
      .then((r) => r.json() as Promise<{ hub?: string }>)
      .then(
        (h) => setHub(h.hub ?? null),
        () => undefined,
      );
  }, []);
  const carryOn = async () => {
    await fetch('/captive-portal/continue', { method: 'POST' }).catch(() => undefined);
    setReleased(true);
  };
  return (
    <section class="card" aria-labelledby="welcome-h" data-testid="portal-welcome">
      <h2 id="welcome-h">{hub ? <bdi>{hub}</bdi> : t.t('welcomeHub')}</h2>
      <p>{t.t('portalNoInternet')}</p>
      <p>{t.t('portalHowToJoin')}</p>
      {released ? (
        <p role="status">{t.t('portalReleased')}</p>
      ) : (
        <button type="button" class="secondary" onClick={() => void carryOn()}>
          {t.t('portalContinue')}
        </button>
      )}
    </section>
  );
}

export function SignInPage({ t, onSignedIn }: { t: T; onSignedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    try {
      const s = await send('post', '/sessions', { body: { email: String(f.get('email') ?? ''), password: String(f.get('password') ?? '') } });
      setCsrf(s.csrfToken);
      onSignedIn();
    } catch (err) {
      setError(describeError(t, err));
    }
  };
  return (
    <>
      <Welcome t={t} />
      <form onSubmit={submit} class="card">
        <h2>{t.t('signIn')}</h2>
        <label>
          {t.t('email')}
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          {t.t('password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit">{t.t('signIn')}</button>
        <p>
          <a href="#/join">{t.t('join')}</a>
        </p>
      </form>
    </>
  );
}

export function JoinPage({ t, code, onJoined }: { t: T; code: string; onJoined: () => void }) {
  const [error, setError] = useState<string | null>(null);
  // The code from the invite link fills the field once; after that it is what the person typed, kept across errors.
  const [codeText, setCodeText] = useState(code);
  const [waiting, setWaiting] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const field = (k: string) => String(f.get(k) ?? '');
    const body = { name: field('name'), email: field('email'), password: field('password'), ...(field('code') ? { code: field('code') } : {}) };
    try {
      const r = await send('post', '/join', { body });
      if (!r.admitted) return setWaiting(true);
      const s = await send('post', '/sessions', { body: { email: body.email, password: body.password } });
      setCsrf(s.csrfToken);
      location.hash = '#/';
      onJoined();
    } catch (err) {
      setError(describeError(t, err));
    }
  };
  if (waiting)
    return (
      <p class="card" role="status">
        {t.t('requested')}
      </p>
    );
  return (
    <form onSubmit={submit} class="card">
      <h2>{t.t('joinTitle')}</h2>
      <label>
        {t.t('inviteCode')}
        <input name="code" value={codeText} onInput={(e) => setCodeText((e.target as HTMLInputElement).value)} autocomplete="off" />
      </label>
      <label>
        {t.t('name')}
        <input name="name" required autocomplete="name" />
      </label>
      <label>
        {t.t('email')}
        <input name="email" type="email" required autocomplete="email" />
      </label>
      <label>
        {t.t('password')}
        <input name="password" type="password" minLength={8} required autocomplete="new-password" />
      </label>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button type="submit">{codeText.trim() ? t.t('joinWithCode') : t.t('requestMembership')}</button>
      <p>
        <a href="#/">{t.t('signIn')}</a>
      </p>
    </form>
  );
}
