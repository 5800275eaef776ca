import type { Schemas } from '../api.js';
import type { T } from '../i18n.js';

type CatalogueItem = Schemas['CatalogueItem'];
type Cur = { minorUnits: number; symbol: string };

/** The badge's colour class and words: free, out until a date, in repair. */
function badge(t: T, i: CatalogueItem): { cls: string; text: string } {
  if (i.status === 'on-loan') return { cls: 'out', text: i.dueBack ? t.t('onLoanUntil', { date: t.day(i.dueBack) }) : t.t('status_on_loan') };
  if (i.status === 'maintenance') return { cls: 'repair', text: t.t('status_maintenance') };
  if (i.status === 'retired') return { cls: 'repair', text: t.t('status_retired') };
  return { cls: 'free', text: t.t('status_available') };
}

/**
 * One thing in the catalogue as a card: its photo (or its kind's sign), its
 * name, a coloured badge that also says in words whether it is free, and
 * what borrowing it costs.
 */
export function ItemCard({ t, item, cur }: { t: T; item: CatalogueItem; cur: Cur | undefined }) {
  const b = badge(t, item);
  return (
    <li class="item-card">
      {item.photos[0] ? (
        <img class="thumb" src={`/api/v1/library/photos/${item.photos[0]}`} alt="" width={64} height={64} loading="lazy" />
      ) : (
        <span class="thumb placeholder" aria-hidden="true">
          {item.name.slice(0, 1).toUpperCase()}
        </span>
      )}
      <div>
        <a href={`#/library/${item.code}`}>
          <strong>{item.code}</strong> <bdi>{item.name}</bdi>
        </a>
        <div>
          <span class={`badge ${b.cls}`}>{b.text}</span> <small class="muted">{item.category}</small>
        </div>
        {cur && (item.deposit > 0 || item.fee > 0) && (
          <small class="muted">
            {[
              item.deposit > 0 ? t.t('deposit', { amount: t.money(item.deposit, cur) }) : '',
              item.fee > 0 ? t.t('fee', { amount: t.money(item.fee, cur) }) : t.t('noFee'),
            ]
              .filter(Boolean)
              .join(' · ')}
          </small>
        )}
      </div>
    </li>
  );
}
