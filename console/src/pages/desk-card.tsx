import { useEffect, useRef, useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { toMinor } from '../i18n.js';
import { MemberPicker } from '../member-picker.js';

type Item = Schemas['LibraryItem'];
type Loan = Schemas['Loan'];
export const CONDITIONS = ['new', 'good', 'fair', 'poor', 'broken'] as const satisfies ReadonlyArray<Loan['conditionOut']>;
type Condition = (typeof CONDITIONS)[number];

/**
 * The tool desk for one item, in the order a steward works with a tool in
 * the other hand: who takes it (or, when it is out, how it came back), its
 * condition, then one button. The result shows under that button and is
 * announced. Used on the item's page and on the desk page after a scan.
 */
export function DeskCard({ item, onChanged, bringIntoView = false }: { item: Item; onChanged?: () => void; bringIntoView?: boolean }) {
  const { t, account, names } = useApp();
  const [openLoan, setOpenLoan] = useState<Loan | null | undefined>(undefined);
  const [msg, setMsg] = useState<Said | null>(null);
  const [member, setMember] = useState<string | null>(null);
  // Recorded at both ends of a loan; damage is charged against the deposit at check-in.
  const [condition, setCondition] = useState<Condition>('good');
  const [damage, setDamage] = useState('');
  const [note, setNote] = useState('');
  const load = async () => setOpenLoan((await get('/library/loans', { query: { open: 'true', all: 'true' } })).find((l) => l.itemId === item.id) ?? null);
  useEffect(() => void load().catch((e) => setMsg({ ok: false, text: describeError(t, e), at: 'desk' })), [item.id]);
  // At the desk page, after a scan: the next step comes up under the thumb instead of below the fold.
  const card = useRef<HTMLElement>(null);
  const ready = openLoan !== undefined;
  useEffect(() => {
    if (bringIntoView && ready) card.current?.scrollIntoView({ block: 'start' });
  }, [bringIntoView, ready]);
  const done = async (text: string) => {
    await load();
    onChanged?.();
    setMsg({ ok: true, text, at: 'desk' });
  };
  const fail = (e: unknown) => setMsg({ ok: false, text: describeError(t, e, account?.currency), at: 'desk' });
  const checkOut = async () => {
    if (!member) return;
    setMsg(null);
    await send('post', '/library/items/{item}/checkout', { params: { item: item.code }, body: { memberId: member, condition } }).then(
      () => (setMember(null), done(t.t('checkedOut'))),
      fail,
    );
  };
  const checkIn = async () => {
    if (!openLoan || !account) return;
    const charge = damage.trim() === '' ? 0 : toMinor(damage, account.currency.minorUnits);
    setMsg(null);
    if (!Number.isFinite(charge) || charge < 0) return setMsg({ ok: false, text: t.t('badNumber'), at: 'desk' });
    await send('post', '/library/loans/{id}/checkin', {
      params: { id: openLoan.id },
      body: { condition, ...(charge > 0 ? { damage: charge } : {}), ...(note.trim() ? { note: note.trim() } : {}) },
    }).then(() => (setDamage(''), setNote(''), done(t.t('checkedIn'))), fail);
  };
  return (
    <section ref={card} class="card desk" aria-labelledby="desk">
      <h3 id="desk">{t.t('desk')}</h3>
      {openLoan === undefined ? (
        <p aria-busy="true" />
      ) : openLoan ? (
        <>
          <p>{t.tx('out', { name: names.get(openLoan.memberId) ?? openLoan.memberId, date: t.date(openLoan.dueAt) })}</p>
          <ConditionField value={condition} onChange={setCondition} />
          {account && openLoan.deposit > 0 && (
            <>
              <p class="muted">{t.t('depositBack', { amount: t.money(openLoan.deposit, account.currency) })}</p>
              <label>
                {t.t('damageCharge', { symbol: account.currency.symbol })}
                <input name="damage" inputMode="decimal" value={damage} onInput={(e) => setDamage((e.target as HTMLInputElement).value)} />
              </label>
            </>
          )}
          <label>
            {t.t('checkInNote')}
            <input name="checkin-note" maxLength={500} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          </label>
          <button class="wide" onClick={checkIn}>
            {t.t('checkIn')}
          </button>
        </>
      ) : (
        <>
          <MemberPicker label={t.t('checkOutTo')} value={member} onChange={setMember} />
          <ConditionField value={condition} onChange={setCondition} />
          <Button class="wide" onClick={checkOut} why={member ? null : t.t('whyPickMember')}>
            {t.t('checkOut')}
          </Button>
        </>
      )}
      <StatusLine msg={msg} at="desk" />
    </section>
  );
}

/** The state an item is in as it leaves or comes back to the desk. */
function ConditionField({ value, onChange }: { value: Condition; onChange: (c: Condition) => void }) {
  const { t } = useApp();
  return (
    <label>
      {t.t('condition')}
      <select name="condition" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value as Condition)}>
        {CONDITIONS.map((c) => (
          <option value={c}>{t.t(`cond_${c}`)}</option>
        ))}
      </select>
    </label>
  );
}
