import { useEffect, useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { get, newKey, type PaymentRequest, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { parseAmount } from '../i18n.js';
import { MemberPicker } from '../member-picker.js';

/** Pay a neighbour, or ask one to pay you: the same steps, review before anything is sent. */
export function PayPage() {
  const { t, session, account, names, refresh } = useApp();
  const [mode, setMode] = useState<'pay' | 'ask'>('pay');
  const [other, setOther] = useState<string | null>(null);
  const [amount, setAmount] = useState('');
  const [memo, setMemo] = useState('');
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [msg, setMsg] = useState<Said | null>(null);
  const [key, setKey] = useState(() => newKey());
  const [asks, setAsks] = useState<PaymentRequest[]>([]);
  const loadAsks = () =>
    get('/requests', { query: { direction: 'outgoing', status: 'open' } }).then(setAsks, (e: unknown) => setMsg({ ok: false, text: describeError(t, e) }));
  useEffect(() => void loadAsks(), []);
  if (!account) return <p aria-busy="true" />;
  const cur = account.currency;
  // Read as the member types: the reason shows under the field and goes as soon as the text is right.
  const reading = parseAmount(amount, cur.minorUnits, t.lang);
  const minor = reading.ok ? reading.minor : NaN;
  const amountProblem = reading.ok
    ? reading.minor < 0
      ? t.t('amountNotNumber')
      : null
    : reading.reason === 'empty'
      ? null
      : reading.reason === 'tooManyDecimals'
        ? t.t('amountTooManyDecimals', { places: cur.minorUnits })
        : t.t('amountNotNumber');
  const valid = other !== null && Number.isFinite(minor) && minor > 0;
  const name = names.get(other ?? '') ?? '';
  const submit = async () => {
    if (other === null) return;
    try {
      // One key per payment or request: a retry after a lost answer can never send it twice.
      if (mode === 'pay') {
        await send('post', '/transfers', { body: { payee: other, amount: minor, ...(memo ? { memo } : {}) }, idempotencyKey: key });
        setMsg({ ok: true, text: t.t('paid', { amount: t.money(minor, cur), name }) });
      } else {
        await send('post', '/requests', { body: { payer: other, amount: minor, ...(memo ? { memo } : {}) }, idempotencyKey: key });
        await loadAsks();
        setMsg({ ok: true, text: t.t('asked', { amount: t.money(minor, cur), name }) });
      }
      setStep('form');
      setOther(null);
      setAmount('');
      setMemo('');
      setKey(newKey());
      refresh();
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e, cur) });
      setStep('form');
    }
  };
  const withdraw = async (id: string) => {
    try {
      await send('post', '/requests/{id}/cancel', { params: { id } });
      await loadAsks();
      setMsg({ ok: true, text: t.t('withdrawn') });
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e, cur) });
    }
  };
  if (step === 'confirm' && valid) {
    // Beyond the floor the hub would refuse it: say so here, before Confirm, not after.
    const over = mode === 'pay' && minor > account.available;
    return (
      <section class="card">
        <h2>{mode === 'pay' ? t.t('confirmPay', { amount: t.money(minor, cur), name }) : t.t('confirmAsk', { amount: t.money(minor, cur), name })}</h2>
        {memo && <p>{memo}</p>}
        {over ? (
          <p class="error" role="alert">
            {t.t('payAtMost', { amount: t.money(Math.max(0, account.available), cur) })}
          </p>
        ) : (
          <p>{mode === 'pay' ? t.t('balanceAfter', { amount: t.money(account.balance - minor, cur) }) : t.t('askNote')}</p>
        )}
        <Button onClick={submit} why={over ? t.t('whyOverAvailable') : null}>
          {t.t('confirm')}
        </Button>{' '}
        <button class="secondary" onClick={() => setStep('form')}>
          {t.t('back')}
        </button>
      </section>
    );
  }
  return (
    <>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) setStep('confirm');
        }}
      >
        <h2>{t.t(mode === 'pay' ? 'payTitle' : 'askTitle')}</h2>
        <div class="filters" role="group">
          {(['pay', 'ask'] as const).map((m) => (
            <button type="button" class={mode === m ? '' : 'secondary'} aria-pressed={mode === m} onClick={() => (setMode(m), setMsg(null))}>
              {t.t(m === 'pay' ? 'modePay' : 'modeAsk')}
            </button>
          ))}
        </div>
        <StatusLine msg={msg} />
        <MemberPicker label={t.t(mode === 'pay' ? 'to' : 'askWho')} value={other} onChange={setOther} exclude={session.member.id} />
        <label>
          {t.t('amount')} ({cur.symbol})
          <input
            inputMode="decimal"
            value={amount}
            onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
            required
            aria-invalid={amountProblem ? true : undefined}
            aria-describedby={[amountProblem ? 'amount-problem' : '', mode === 'pay' ? 'pay-available' : ''].filter(Boolean).join(' ') || undefined}
          />
        </label>
        {amountProblem && (
          <p class="error" id="amount-problem" data-testid="amount-problem">
            {amountProblem}
          </p>
        )}
        {mode === 'pay' && (
          <p class="muted" id="pay-available" data-testid="pay-available">
            {t.plural('available', Math.max(0, account.available) / 10 ** cur.minorUnits, { amount: t.money(Math.max(0, account.available), cur) })}
          </p>
        )}
        <label>
          {t.t('memo')}
          <input value={memo} maxLength={280} onInput={(e) => setMemo((e.target as HTMLInputElement).value)} />
        </label>
        <Button type="submit" why={!valid ? t.t('whyFillIn') : null}>
          {t.t('review')}
        </Button>
      </form>
      {asks.length > 0 && (
        <section class="card" aria-labelledby="asks-h">
          <h3 id="asks-h">{t.t('myAsks')}</h3>
          <ul class="rows" data-testid="my-asks">
            {asks.map((r) => (
              <li>
                {t.tx('askedOf', { name: names.get(r.payer) ?? r.payer, amount: t.amount(r.amount, r.unit, cur) })}
                {r.memo ? (
                  <>
                    {' '}
                    — <bdi>{r.memo}</bdi>
                  </>
                ) : (
                  ''
                )}{' '}
                <button class="secondary" onClick={() => withdraw(r.id)}>
                  {t.t('cancelAsk')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
