import { useRef, useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { get, type Schemas } from '../api.js';
import { describeError, useApp } from '../app.js';
import { itemCodeOf, readQr } from '../scan.js';
import { DeskCard } from './desk-card.js';

type Item = Schemas['LibraryItem'];

/**
 * The tool desk on a phone held in one hand: the item first (scan its label
 * or type the code printed under it), then the member, the condition and one
 * button, all in the lower part of the screen a thumb reaches. After each
 * loan or return the desk is ready for the next item.
 */
export function DeskPage() {
  const { t } = useApp();
  const [code, setCode] = useState('');
  const [item, setItem] = useState<Item | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const [reading, setReading] = useState(false);
  const camera = useRef<HTMLInputElement>(null);
  const open = async (text: string) => {
    const wanted = itemCodeOf(text);
    if (!wanted) return setMsg({ ok: false, text: t.t('deskNoCode'), at: 'find' });
    try {
      const found = await get('/library/items/{item}', { params: { item: wanted } });
      setItem(found.item);
      setCode(found.item.code);
      setMsg(null);
    } catch (e) {
      setItem(null);
      setMsg({ ok: false, text: describeError(t, e), at: 'find' });
    }
  };
  const scanned = async (file: File | undefined) => {
    if (!file) return;
    setReading(true);
    setMsg({ ok: true, text: t.t('deskReading'), at: 'find' });
    try {
      const text = await readQr(file);
      if (text === null) setMsg({ ok: false, text: t.t('deskNoLabel'), at: 'find' });
      else await open(text);
    } catch {
      setMsg({ ok: false, text: t.t('deskNoLabel'), at: 'find' });
    } finally {
      setReading(false);
      if (camera.current) camera.current.value = '';
    }
  };
  return (
    <section class="desk-page">
      <h2>{t.t('desk')}</h2>
      <p class="muted">
        <a href="#/labels">{t.t('labelsPrint')}</a>
      </p>
      <form
        class="card"
        aria-labelledby="find-item"
        onSubmit={(e) => {
          e.preventDefault();
          void open(code);
        }}
      >
        <h3 id="find-item">{t.t('deskFind')}</h3>
        {/* A photo, not a live camera: browsers give live video only to secure pages, and the hub's own Wi-Fi is plain HTTP. */}
        <label class="button wide scan">
          {t.t('deskScan')}
          <input
            ref={camera}
            type="file"
            name="label-photo"
            accept="image/*"
            capture="environment"
            class="visually-hidden"
            disabled={reading}
            onChange={(e) => void scanned((e.target as HTMLInputElement).files?.[0])}
          />
        </label>
        <label>
          {t.t('deskCode')}
          <input
            name="item-code"
            value={code}
            autocapitalize="characters"
            autocomplete="off"
            enterkeyhint="go"
            onInput={(e) => setCode((e.target as HTMLInputElement).value)}
          />
        </label>
        <Button type="submit" class="secondary" why={code.trim() === '' ? t.t('whyFillIn') : null}>
          {t.t('deskOpen')}
        </Button>
        <StatusLine msg={msg} at="find" />
      </form>
      {item && (
        <>
          <p data-testid="desk-item">
            <strong>
              {item.code} <bdi>{item.name}</bdi>
            </strong>{' '}
            · {t.t(`status_${item.status.replace('-', '_')}` as 'status_available')} ·{' '}
            <a href={`#/library/${encodeURIComponent(item.code)}`}>{t.t('deskItemPage')}</a>
          </p>
          <DeskCard key={item.id} item={item} bringIntoView onChanged={() => void open(item.code)} />
        </>
      )}
    </section>
  );
}
