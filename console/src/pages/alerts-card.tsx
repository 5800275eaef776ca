import { useEffect, useState } from 'preact/hooks';
import { StatusLine, useActions } from '../actions.js';
import { get, type Answer, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';

type PushStatus = Answer<'/api/v1/notifications/push'>;
type Subscription = Schemas['PushSubscription'];

/** The VAPID key as PushManager wants it: bytes, from the hub's base64url. */
function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(b64url.length / 4) * 4, '=');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/**
 * Alerts on this phone (Web Push). They need the hub on the internet under
 * https://, since a phone takes alerts only through its browser maker's
 * servers; the card says so plainly where that is not the case, and the
 * inbox (polled while the console is open) works either way.
 */
export function AlertsCard({ onChange }: { onChange: () => void }) {
  const { t } = useApp();
  const [status, setStatus] = useState<PushStatus | null>(null);
  /** This phone's subscription as the hub knows it, when alerts are on here. */
  const [mine, setMine] = useState<Subscription | null>(null);
  const { msg, act, say } = useActions(async () => {
    const s = await get('/notifications/push');
    setStatus(s);
    if (!s.available || !supported()) return setMine(null);
    // Sent again each time: the hub learns the console's language now, and a hub restored from a backup learns the phone again.
    setMine(await sendSubscription());
  }, onChange);
  const sendSubscription = async () => {
    const sub = await (await navigator.serviceWorker.getRegistration())?.pushManager.getSubscription();
    return sub ? send('post', '/notifications/push/subscriptions', { body: { ...subscriptionOf(sub), lang: t.lang } }) : null;
  };
  // A change of language on this phone rewords its alerts from then on.
  useEffect(() => {
    if (mine && mine.lang !== t.lang) void sendSubscription().then(setMine, () => undefined);
  }, [t.lang]);
  if (!status) return null;
  if (!status.available)
    return (
      <p class="muted" data-testid="alerts-unavailable">
        {t.t('pushUnavailable')}
      </p>
    );
  if (!supported()) return <p class="muted">{t.t('pushNotSupported')}</p>;

  const turnOn = async () => {
    const allowed = await Notification.requestPermission();
    if (allowed !== 'granted') return say({ ok: false, text: t.t('pushDenied') });
    const reg = await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    let sub: PushSubscription;
    try {
      sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(status.publicKey ?? '') });
    } catch {
      // The browser asks its maker's push service for an address; without the internet it cannot.
      return say({ ok: false, text: t.t('pushFailed') });
    }
    await act(() => send('post', '/notifications/push/subscriptions', { body: { ...subscriptionOf(sub), lang: t.lang } }), t.t('pushOnSaved'));
  };
  const turnOff = async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    await (await reg?.pushManager.getSubscription())?.unsubscribe();
    if (mine) await act(() => send('delete', '/notifications/push/subscriptions/{id}', { params: { id: mine.id } }), t.t('pushOffSaved'));
  };
  return (
    <div data-testid="alerts-card">
      <h4>{t.t('pushTitle')}</h4>
      <p class="muted">{mine ? t.t('pushOnHelp') : t.t('pushOffHelp')}</p>
      <StatusLine msg={msg} />
      <button class={mine ? 'secondary' : ''} onClick={() => void (mine ? turnOff() : turnOn())}>
        {mine ? t.t('pushTurnOff') : t.t('pushTurnOn')}
      </button>
    </div>
  );
}

/** A subscription as the hub takes it: the Push API types its JSON loosely, but a live subscription has its endpoint and both keys. */
function subscriptionOf(sub: PushSubscription): { endpoint: string; keys: { p256dh: string; auth: string } } {
  const j = sub.toJSON();
  return { endpoint: j.endpoint ?? sub.endpoint, keys: { p256dh: j.keys?.p256dh ?? '', auth: j.keys?.auth ?? '' } };
}
