import { useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { type Schemas, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { toMinor } from '../i18n.js';

type Item = Schemas['LibraryItem'];
const KINDS = ['tool', 'equipment', 'space', 'vehicle'] as const satisfies ReadonlyArray<Item['kind']>;
const CONDITIONS = ['new', 'good', 'fair', 'poor'] as const satisfies ReadonlyArray<Item['condition']>;
/** The hub keeps photos up to 512 KiB; a phone's camera makes several MB. */
const MAX_PHOTO_BYTES = 500 * 1024;

/**
 * A phone photo made small enough for the hub: at most 1280 px on its
 * longer side, as JPEG, lowering the quality until it fits. Stewards take
 * the picture at the shelf, and the mesh link is slow.
 */
export async function shrinkPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('this browser cannot draw on a canvas');
  g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  for (const quality of [0.82, 0.7, 0.55, 0.4]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (blob && blob.size <= MAX_PHOTO_BYTES) return blob;
  }
  throw new Error('photo too large');
}

/** The stewards' form to put a new item in the catalogue, with a photo taken there and then. */
export function AddItem({ categories, onAdded }: { categories: string[]; onAdded: () => void }) {
  const { t, account } = useApp();
  const [msg, setMsg] = useState<Said | null>(null);
  const [busy, setBusy] = useState(false);
  const cur = account?.currency;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!cur) return;
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const money: Record<string, number> = {};
    for (const k of ['deposit', 'fee', 'replacementValue']) {
      if (!text(k)) continue;
      const n = toMinor(text(k), cur.minorUnits);
      if (!Number.isFinite(n) || n < 0) return setMsg({ ok: false, text: t.t('badNumber') });
      money[k] = n;
    }
    const photo = f.get('photo');
    setBusy(true);
    try {
      // Shrunk before the item exists, so a photo that cannot be used stops nothing half-made.
      const image = photo instanceof File && photo.size > 0 ? await shrinkPhoto(photo).catch(() => null) : undefined;
      if (image === null) return setMsg({ ok: false, text: t.t('photoUnusable') });
      const item = await send('post', '/library/items', {
        body: {
          name: text('name'),
          category: text('category'),
          // From selects offering only these lists' values; the hub refuses any other with a reason.
          kind: text('kind') as Item['kind'],
          condition: text('condition') as NonNullable<Item['condition']>,
          ...(text('location') ? { location: text('location') } : {}),
          ...(text('description') ? { description: text('description') } : {}),
          ...money,
          needsApproval: f.get('needsApproval') === 'on',
          needsInduction: f.get('needsInduction') === 'on',
        },
      });
      if (image) await send('post', '/library/items/{item}/photos', { params: { item: item.code }, body: image });
      form.reset();
      onAdded();
      location.hash = `#/library/${item.code}`;
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err, cur) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="card">
      <summary>{t.t('addItem')}</summary>
      <form onSubmit={submit} data-testid="add-item">
        <label>
          {t.t('itemName')}
          <input name="name" maxLength={120} required />
        </label>
        <label>
          {t.t('category')}
          <input name="category" list="item-categories" maxLength={60} required />
          <datalist id="item-categories">
            {categories.map((c) => (
              <option value={c} />
            ))}
          </datalist>
        </label>
        <div class="filters">
          <label>
            {t.t('itemKind')}
            <select name="kind">
              {KINDS.map((k) => (
                <option value={k}>{t.t(`itemKind_${k}`)}</option>
              ))}
            </select>
          </label>
          <label>
            {t.t('condition')}
            <select name="condition">
              {CONDITIONS.map((c) => (
                <option value={c} selected={c === 'good'}>
                  {t.t(`cond_${c}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label>
          {t.t('itemLocation')}
          <input name="location" maxLength={120} />
        </label>
        <label>
          {t.t('itemDescription')}
          <textarea name="description" rows={2} maxLength={2000} />
        </label>
        <div class="filters">
          <label>
            {t.t('depositLabel', { symbol: cur?.symbol ?? '' })}
            <input name="deposit" inputMode="decimal" />
          </label>
          <label>
            {t.t('feeLabel', { symbol: cur?.symbol ?? '' })}
            <input name="fee" inputMode="decimal" />
          </label>
          <label>
            {t.t('replacementLabel', { symbol: cur?.symbol ?? '' })}
            <input name="replacementValue" inputMode="decimal" />
          </label>
        </div>
        <label class="check">
          <input type="checkbox" name="needsApproval" /> {t.t('needsApproval')}
        </label>
        <label class="check">
          <input type="checkbox" name="needsInduction" /> {t.t('needsInduction')}
        </label>
        <label>
          {t.t('itemPhoto')}
          <input type="file" name="photo" accept="image/*" capture="environment" />
        </label>
        <StatusLine msg={msg} />
        <Button type="submit" why={busy ? t.t('whyBusy') : null}>
          {t.t('addToCatalogue')}
        </Button>
      </form>
    </details>
  );
}
