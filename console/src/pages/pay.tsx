import { useState } from 'preact/hooks';
import { api, newKey } from '../api.js';
import { describeError, useApp } from '../app.js';
import { toMinor } from '../i18n.js';
import { MemberPicker } from '../member-picker.js';

export function PayPage() {
  const { t, session, account, names, refresh } = useApp();
  const [payee, setPayee] = useState<string | null>(null);
  const [amount, setAmount] = useState('');
  const [memo, setMemo] = useState('');
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [key, setKey] = useState(() => newKey());
  if (!account) return <p aria-busy="true" />;
  const cur = account.currency;
  const minor = toMinor(amount, cur.minorUnits);
  const valid = payee !== null && Number.isFinite(minor) && minor > 0;
  const send = async () => {
    try {
      // One key per payment: a retry after a lost answer can never pay twice.
      await api('/transfers', { method: 'POST', body: { payee, amount: minor, ...(memo ? { memo } : {}) }, idempotencyKey: key });
      setMsg({ ok: true, text: t.t('paid', { amount: t.money(minor, cur), name: names.get(payee!) ?? '' }) });
      setStep('form');
      setPayee(null);
      setAmount('');
      setMemo('');
      setKey(newKey());
      refresh();
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e, cur) });
      setStep('form');
    }
  };
  if (step === 'confirm' && valid) {
    return (
      <section class="card">
        <h2>{t.t('confirmPay', { amount: t.money(minor, cur), name: names.get(payee) ?? '' })}</h2>
        {memo && <p>{memo}</p>}
        <p>{t.t('balanceAfter', { amount: t.money(account.balance - minor, cur) })}</p>
        <button onClick={send}>{t.t('confirm')}</button>{' '}
        <button class="secondary" onClick={() => setStep('form')}>
          {t.t('back')}
        </button>
      </section>
    );
  }
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) setStep('confirm');
      }}
    >
      <h2>{t.t('payTitle')}</h2>
      {msg && <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>{msg.text}</p>}
      <MemberPicker label={t.t('to')} value={payee} onChange={setPayee} exclude={session.member.id} />
      <label>
        {t.t('amount')} ({cur.symbol})
        <input inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} required />
      </label>
      <label>
        {t.t('memo')}
        <input value={memo} maxLength={280} onInput={(e) => setMemo((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit" disabled={!valid}>
        {t.t('review')}
      </button>
    </form>
  );
}
