import { useState } from 'preact/hooks';
import { Button, StatusLine, type Said } from '../actions.js';
import { type Schemas, send } from '../api.js';
import { describeError, useApp } from '../app.js';
import { kindLabel, paramFromForm } from '../governance-words.js';
import { toMinor } from '../i18n.js';
import { MemberPicker } from '../member-picker.js';
import { ParamValueInput } from '../param-input.js';

type Param = Schemas['ParameterView'];

/** Any member may put something to the neighbourhood: free text, a parameter change, or spending from the fund. */
export function NewProposal({ params, onMade }: { params: Param[]; onMade: () => Promise<void> }) {
  const { t, account } = useApp();
  const [kind, setKind] = useState<'text' | 'parameter' | 'spend' | 'buy-tool'>('text');
  const [title, setTitle] = useState('');
  const [rationale, setRationale] = useState('');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [amount, setAmount] = useState('');
  const [to, setTo] = useState<string | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  if (!account) return null;
  const cur = account.currency;
  const param = params.find((p) => p.name === name);
  const submit = async (e: Event) => {
    e.preventDefault();
    let payload: Record<string, unknown> | undefined;
    if (kind === 'parameter') {
      const v = paramFromForm(param?.value ?? 0, name, value, cur);
      if (typeof v === 'number' && Number.isNaN(v)) return setMsg({ ok: false, text: t.t('badNumber') });
      payload = { name, value: v };
    } else if (kind === 'spend' || kind === 'buy-tool') {
      const minor = toMinor(amount, cur.minorUnits);
      if (!Number.isFinite(minor)) return setMsg({ ok: false, text: t.t('badNumber') });
      payload = { to, amount: minor };
    }
    try {
      await send('post', '/proposals', { body: { kind, title, rationale, ...(payload ? { payload } : {}) } });
      setMsg({ ok: true, text: t.t('proposalMade') });
      setTitle('');
      setRationale('');
      setValue('');
      setAmount('');
      setTo(null);
      await onMade();
    } catch (err) {
      setMsg({ ok: false, text: describeError(t, err) });
    }
  };
  const ready = title.trim() !== '' && (kind === 'text' || (kind === 'parameter' ? name !== '' && value !== '' : to !== null && amount !== ''));
  return (
    <details class="card">
      <summary>
        <strong>{t.t('newProposal')}</strong>
      </summary>
      <form onSubmit={submit}>
        <StatusLine msg={msg} />
        <label>
          {t.t('proposalKind')}
          <select name="proposal-kind" value={kind} onChange={(e) => (setKind((e.target as HTMLSelectElement).value as typeof kind), setValue(''))}>
            {(['text', 'parameter', 'spend', 'buy-tool'] as const).map((k) => (
              <option value={k}>{kindLabel(t, k)}</option>
            ))}
          </select>
        </label>
        <label>
          {t.t('proposalTitle')}
          <input name="proposal-title" maxLength={200} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} required />
        </label>
        <label>
          {t.t('proposalRationale')}
          <textarea
            name="proposal-rationale"
            rows={3}
            maxLength={5000}
            value={rationale}
            onInput={(e) => setRationale((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        {kind === 'parameter' && <ParamValueInput params={params} name={name} value={value} onName={setName} onValue={setValue} field="proposal" />}
        {(kind === 'spend' || kind === 'buy-tool') && (
          <>
            <label>
              {t.t('proposalAmount', { symbol: cur.symbol })}
              <input name="proposal-amount" inputMode="decimal" value={amount} onInput={(e) => setAmount((e.target as HTMLInputElement).value)} />
            </label>
            <MemberPicker label={t.t('proposalTo')} value={to} onChange={setTo} />
          </>
        )}
        <Button type="submit" why={!ready ? t.t('whyFillIn') : null}>
          {t.t('proposalSubmit')}
        </Button>
      </form>
    </details>
  );
}
