import { useState } from 'preact/hooks';
import { Button, StatusLine, useActions } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';
import { KIND_LABEL, type NoteKind } from '../notes.js';
import type { Key } from '../i18n.js';

type Hook = Schemas['Webhook'];

/** The kinds a stewards' hook may carry: the community's and the hub's, never one member's own affairs. */
const COMMUNITY_KINDS: NoteKind[] = [
  'emergency-declared',
  'emergency-ended',
  'proposal-opened',
  'proposal-decided',
  'budget-round-opened',
  'budget-round-closed',
  'hub-link-changed',
  'storage-low',
  'backup-overdue',
  'update-proposed',
  'update-installed',
  'webhook-disabled',
];

/**
 * Webhooks for stewards: other software (a chat bot, Node-RED, a text-message
 * gateway) hears of community events. The secret that signs each body shows
 * once, when the hook is made; a hook turned off after failures says why and
 * can be turned on again.
 */
export function WebhooksCard() {
  const { t } = useApp();
  const [hooks, setHooks] = useState<Hook[]>([]);
  const [url, setUrl] = useState('');
  const [kinds, setKinds] = useState<Set<NoteKind>>(new Set(['emergency-declared', 'emergency-ended']));
  const [secret, setSecret] = useState<string | null>(null);
  const { msg, act } = useActions(async () => setHooks(await get('/webhooks')));
  const labels = new Map<Key, NoteKind[]>();
  for (const k of COMMUNITY_KINDS) labels.set(KIND_LABEL[k], [...(labels.get(KIND_LABEL[k]) ?? []), k]);
  const toggle = (ks: NoteKind[], on: boolean) => setKinds((cur) => new Set([...cur].filter((k) => !ks.includes(k)).concat(on ? ks : [])));
  const add = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const made = await send('post', '/webhooks', { body: { url: url.trim(), kinds: [...kinds] } });
      setSecret(made.secret);
      setUrl('');
    }, t.t('webhookAdded'));
  };
  return (
    <section class="card" aria-labelledby="hooks-h" data-testid="webhooks">
      <h3 id="hooks-h">{t.t('webhooksTitle')}</h3>
      <p class="muted">{t.t('webhooksExplain')}</p>
      <ul class="rows">
        {hooks.map((h) => (
          <li data-testid="webhook">
            <bdi>{h.url}</bdi> · {t.plural('webhookKinds', h.kinds.length)} ·{' '}
            {h.enabled ? (
              h.lastAttempt ? (
                t.t(h.lastAttempt.ok ? 'webhookLastOk' : 'webhookLastFailed', { date: t.date(h.lastAttempt.at), why: h.lastAttempt.error ?? '' })
              ) : (
                t.t('webhookNotYet')
              )
            ) : (
              <strong class="warn">{t.t('webhookOff', { why: h.disabledReason ?? '' })}</strong>
            )}{' '}
            {!h.enabled && (
              <button onClick={() => act(() => send('post', '/webhooks/{id}/enable', { params: { id: h.id } }), t.t('webhookOn'))}>{t.t('turnOn')}</button>
            )}{' '}
            <button class="secondary" onClick={() => act(() => send('post', '/webhooks/{id}/ping', { params: { id: h.id } }), t.t('webhookPinged'))}>
              {t.t('webhookPing')}
            </button>{' '}
            <button class="secondary" onClick={() => act(() => send('delete', '/webhooks/{id}', { params: { id: h.id } }), t.t('webhookRemoved'))}>
              {t.t('remove')}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <label>
          {t.t('webhookUrl')}
          <input name="webhook-url" type="url" required placeholder="https://…" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset>
          <legend>{t.t('webhookWhich')}</legend>
          {[...labels.entries()].map(([label, ks]) => (
            <label class="check">
              <input type="checkbox" checked={ks.every((k) => kinds.has(k))} onChange={(e) => toggle(ks, (e.target as HTMLInputElement).checked)} />{' '}
              {t.t(label)}
            </label>
          ))}
        </fieldset>
        <Button type="submit" why={kinds.size === 0 ? t.t('whyChooseOne') : null}>
          {t.t('webhookAdd')}
        </Button>
      </form>
      <StatusLine msg={msg} />
      {secret && (
        <p role="status" data-testid="webhook-secret">
          {t.t('webhookSecret')} <code>{secret}</code>
        </p>
      )}
    </section>
  );
}
