import { useEffect, useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { get, type Answer, send } from '../api.js';
import { describeError, useApp } from '../app.js';

type DeviceRow = Answer<'/api/v1/devices'>[number];
type Downlink = Answer<'/api/v1/lorawan/devices/{devEui}/queue'>[number];

/**
 * Downlinks for stewards: pick a LoRaWAN device, see what waits for it and
 * what became of what was sent (sent, confirmed, given up), and queue bytes
 * for it. A class-A device gets them after its next uplink, a class-C one at
 * once. The result shows beside the button.
 */
export function DownlinksCard({ devices }: { devices: DeviceRow[] }) {
  const { t } = useApp();
  const lorawan = devices.filter((d) => d.device.lorawan);
  const [devEui, setDevEui] = useState<string>('');
  const [queue, setQueue] = useState<Downlink[]>([]);
  const [port, setPort] = useState('10');
  const [hex, setHex] = useState('');
  const [command, setCommand] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [msg, setMsg] = useState<Said | null>(null);
  const chosen = devEui || lorawan[0]?.device.lorawan?.devEui || '';
  const load = () =>
    chosen
      ? get('/lorawan/devices/{devEui}/queue', { params: { devEui: chosen } }).then(setQueue, (e: unknown) => setMsg({ ok: false, text: describeError(t, e) }))
      : Promise.resolve();
  useEffect(() => void load(), [chosen]);
  if (lorawan.length === 0) return null;
  // A command is an object the device's codec makes into bytes (and its port); bytes go as typed, on the port given.
  const submit = async () => {
    setMsg(null);
    let body: Record<string, unknown> = { fPort: Number(port), hex: hex.replace(/\s+/g, ''), confirmed };
    if (command.trim() !== '') {
      let object: unknown;
      try {
        object = JSON.parse(command);
      } catch {
        object = null;
      }
      if (!object || typeof object !== 'object' || Array.isArray(object)) return setMsg({ ok: false, text: t.t('downlinkCommandNotJson') });
      body = { object, confirmed };
    }
    try {
      await send('post', '/lorawan/devices/{devEui}/queue', { params: { devEui: chosen }, body });
      setHex('');
      setCommand('');
      await load();
      setMsg({ ok: true, text: t.t('downlinkQueued') });
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e) });
    }
  };
  return (
    <section class="card" aria-labelledby="downlinks-h" data-testid="downlinks">
      <h3 id="downlinks-h">{t.t('downlinksTitle')}</h3>
      <label>
        {t.t('downlinkDevice')}
        <select name="downlink-device" value={chosen} onChange={(e) => setDevEui((e.target as HTMLSelectElement).value)}>
          {lorawan.map((d) => (
            <option value={d.device.lorawan?.devEui}>{d.device.name}</option>
          ))}
        </select>
      </label>
      {queue.length === 0 ? (
        <p class="muted">{t.t('downlinkNone')}</p>
      ) : (
        <ul class="rows" data-testid="downlink-rows">
          {queue.map((d) => (
            <li>
              <code>{d.payload || '—'}</code> · {t.t('downlinkPort')} {d.fPort} · <strong>{t.t(`downlinkState_${d.state}`)}</strong>
              {d.attempts > 1 && <> · {t.plural('downlinkAttempts', d.attempts)}</>} ·{' '}
              <small class="muted">{t.ago(Date.now() - (d.sentAt ?? d.createdAt))}</small>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          {t.t('downlinkPort')}
          <input name="downlink-port" inputMode="numeric" value={port} onInput={(e) => setPort((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t.t('downlinkHex')}
          <input name="downlink-hex" value={hex} onInput={(e) => setHex((e.target as HTMLInputElement).value)} autoComplete="off" spellcheck={false} />
        </label>
        <label>
          {t.t('downlinkCommand')}
          <textarea
            name="downlink-command"
            rows={2}
            value={command}
            placeholder='{"reportingIntervalSeconds": 1200}'
            onInput={(e) => setCommand((e.target as HTMLTextAreaElement).value)}
            spellcheck={false}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed((e.target as HTMLInputElement).checked)} /> {t.t('downlinkConfirmed')}
        </label>
        <Button type="submit" why={hex.trim() === '' && command.trim() === '' ? t.t('downlinkNeedsSomething') : null}>
          {t.t('downlinkQueue')}
        </Button>
        <StatusLine msg={msg} />
      </form>
    </section>
  );
}
