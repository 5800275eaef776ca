import { useState } from 'preact/hooks';
import { Button, StatusLine, useActions } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';
import type { Key } from '../i18n.js';
import { MemberPicker } from '../member-picker.js';

type Item = Schemas['LibraryItem'];
type Hold = Schemas['Hold'];
interface AuditEntry {
  at: number;
  by: string | null;
  action: string;
}

/**
 * What a steward does for one item beyond the desk: the order of its queue,
 * safety inductions, a maintenance plan that opens tickets by itself, and
 * the item's history of who did what. Loaded only for stewards; mounted
 * afresh for each item (key), since it loads once.
 */
export function ItemStewarding({ item, onChanged }: { item: Item; onChanged: () => Promise<void> }) {
  const { t, names } = useApp();
  const [queue, setQueue] = useState<Hold[]>([]);
  const [history, setHistory] = useState<AuditEntry[]>([]);
  const [inducted, setInducted] = useState<string | null>(null);
  const [every, setEvery] = useState(item.plan ? String(item.plan.everyLoans) : '');
  const [task, setTask] = useState(item.plan?.task ?? '');
  const load = async () => {
    const [q, h] = await Promise.all([
      get('/library/items/{item}/holds', { params: { item: item.code } }),
      get('/library/items/{item}/audit', { params: { item: item.code } }),
    ]);
    setQueue(q);
    setHistory(h.slice(-20).reverse());
  };
  const { msg, act, say } = useActions(load, onChanged);
  const move = (i: number, by: -1 | 1) => {
    const order = queue.map((h) => h.memberId);
    const [a, b] = [order[i], order[i + by]];
    if (a === undefined || b === undefined) return;
    [order[i], order[i + by]] = [b, a];
    void act(() => send('put', '/library/items/{item}/holds', { params: { item: item.code }, body: { order } }), t.t('queueReordered'));
  };
  const name = (id: string | null) => (id ? (names.get(id) ?? id) : t.t('theHub'));
  // The hub records actions as short English phrases; each has its words here, and an unknown one shows as it is.
  const action = (a: string) => {
    const key = `audit_${a.replace(/ /g, '_')}`;
    return key in AUDIT_KEYS ? t.t(key as Key) : a;
  };

  return (
    <section class="card" aria-labelledby="stewarding-h" data-testid="item-stewarding">
      <h3 id="stewarding-h">{t.t('itemStewarding')}</h3>
      <StatusLine msg={msg} />

      <h4>{t.t('queueTitle', { n: queue.length })}</h4>
      {queue.length === 0 ? (
        <p>{t.t('nothingYet')}</p>
      ) : (
        <ol class="rows" data-testid="queue">
          {queue.map((h, i) => (
            <li>
              {name(h.memberId)}
              {h.readyAt !== null && h.pickupBy !== null && <small class="muted"> · {t.t('readyUntil', { date: t.date(h.pickupBy) })}</small>}{' '}
              <Button class="link" why={i === 0 ? t.t('whyFirst') : null} aria-label={t.t('moveUp', { name: name(h.memberId) })} onClick={() => move(i, -1)}>
                ↑
              </Button>
              <Button
                class="link"
                why={i === queue.length - 1 ? t.t('whyLast') : null}
                aria-label={t.t('moveDown', { name: name(h.memberId) })}
                onClick={() => move(i, 1)}
              >
                ↓
              </Button>
            </li>
          ))}
        </ol>
      )}

      {item.needsInduction && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (inducted)
              void act(
                () => send('post', '/library/items/{item}/inductions', { params: { item: item.code }, body: { memberId: inducted } }),
                t.t('inductionRecorded', { name: name(inducted) }),
              ).then(() => setInducted(null));
          }}
        >
          <h4>{t.t('inductionTitle')}</h4>
          <MemberPicker label={t.t('inductionWho')} value={inducted} onChange={setInducted} />
          <Button type="submit" class="secondary" why={!inducted ? t.t('whyFillIn') : null}>
            {t.t('recordInduction')}
          </Button>
        </form>
      )}

      <form
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(every);
          const plan = every.trim() === '' ? null : { everyLoans: n, task: task.trim() };
          if (plan && (!Number.isInteger(n) || n < 1 || !plan.task)) return say({ ok: false, text: t.t('badNumber') });
          void act(() => send('patch', '/library/items/{item}', { params: { item: item.code }, body: { plan } }), t.t(plan ? 'planSaved' : 'planRemoved'));
        }}
      >
        <h4>{t.t('planTitle')}</h4>
        <div class="filters">
          <label>
            {t.t('planEvery')}
            <input name="plan-every" inputMode="numeric" value={every} onInput={(e) => setEvery((e.target as HTMLInputElement).value.trim())} />
          </label>
          <label>
            {t.t('planTask')}
            <input name="plan-task" maxLength={120} value={task} onInput={(e) => setTask((e.target as HTMLInputElement).value)} />
          </label>
        </div>
        <button type="submit" class="secondary">
          {t.t('savePlan')}
        </button>
      </form>

      <details>
        <summary>{t.t('itemHistory')}</summary>
        <ul class="rows" data-testid="item-history">
          {history.map((h) => (
            <li>
              {t.date(h.at)} · {name(h.by)}: {action(h.action)}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

/** Every action the hub writes in an item's history, by its key. */
const AUDIT_KEYS = {
  audit_added: 1,
  audit_updated: 1,
  audit_photo_added: 1,
  audit_reserved: 1,
  audit_reservation_cancelled: 1,
  audit_hold_joined: 1,
  audit_hold_left: 1,
  audit_hold_deferred: 1,
  audit_holds_reordered: 1,
  audit_hold_passed_on: 1,
  audit_induction_recorded: 1,
  audit_checked_out: 1,
  audit_checked_in: 1,
  audit_renewed: 1,
  audit_ticket_opened: 1,
  audit_ticket_assess: 1,
  audit_ticket_parts: 1,
  audit_ticket_repairing: 1,
  audit_ticket_resolved: 1,
  audit_ticket_retired: 1,
  audit_retired: 1,
} satisfies Partial<Record<Key, 1>>;
