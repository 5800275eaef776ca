import { useEffect, useRef, useState } from 'preact/hooks';
import { Button, StatusLine, useActions } from '../actions.js';
import { get, type Schemas, send } from '../api.js';
import { useApp } from '../app.js';

type Report = Schemas['WorkReport'];
const KINDS = ['trees', 'compost', 'land', 'other'] as const satisfies ReadonlyArray<Report['kind']>;

/**
 * Members report the regeneration work they did (trees planted, compost
 * made, land restored); a steward other than themselves verifies it, and
 * the fund credits them. The form says what a verified report would earn.
 */
export function RegenerationReport({ initial }: { initial?: { creditPerUnit: number; mine: Report[] } } = {}) {
  const { t, session, account } = useApp();
  const [kind, setKind] = useState<Report['kind']>('trees');
  const [quantity, setQuantity] = useState('');
  const [note, setNote] = useState('');
  const [mine, setMine] = useState<Report[]>(initial?.mine ?? []);
  const [perUnit, setPerUnit] = useState<number | null>(initial?.creditPerUnit ?? null);
  // The neighbourhood page brings the credit per unit and my reports in its own answer; alone, the
  // card asks for them. After a report only the reports are read again.
  useEffect(() => {
    if (initial) return;
    void get('/parameters').then(
      (params) => {
        const p = params.find((x) => x.name === 'regenerationCreditPerUnit');
        setPerUnit(typeof p?.value === 'number' ? p.value : null);
      },
      () => undefined,
    );
  }, []);
  const given = useRef(initial !== undefined);
  const load = async () => {
    if (given.current) return void (given.current = false);
    setMine((await get('/regeneration')).filter((r) => r.memberId === session.member.id).slice(0, 10));
  };
  const { msg, act } = useActions(load);
  const n = Number(quantity);
  const valid = Number.isInteger(n) && n >= 1;
  const cur = account?.currency;
  const submit = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      await send('post', '/regeneration', { body: { kind, quantity: n, note: note.trim() } });
      setQuantity('');
      setNote('');
    }, t.t('regenReported'));
  };
  return (
    <section class="card" aria-labelledby="regen-report-h" data-testid="regen-report">
      <h3 id="regen-report-h">{t.t('regenReportTitle')}</h3>
      <form onSubmit={submit}>
        <label>
          {t.t('regenWhat')}
          <select name="regen-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Report['kind'])}>
            {KINDS.map((k) => (
              <option value={k}>{t.t(`regenKind_${k}`)}</option>
            ))}
          </select>
        </label>
        <label>
          {t.t('regenHowMuch')}
          <input
            name="regen-quantity"
            inputMode="numeric"
            value={quantity}
            onInput={(e) => setQuantity((e.target as HTMLInputElement).value.trim())}
            required
          />
        </label>
        <label>
          {t.t('regenNote')}
          <input name="regen-note" maxLength={1000} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        </label>
        {valid && cur && perUnit !== null && (
          <p class="muted">{t.t('regenWouldEarn', { work: t.plural(`regen_${kind}`, n), amount: t.money(n * perUnit, cur) })}</p>
        )}
        <Button type="submit" why={!valid ? t.t('whyFillIn') : null}>
          {t.t('regenSend')}
        </Button>
      </form>
      <StatusLine msg={msg} />
      {mine.length > 0 && (
        <ul class="rows" data-testid="my-regen">
          {mine.map((r) => (
            <li>
              {t.plural(`regen_${r.kind}`, r.quantity)} · {t.date(r.at)}
              <br />
              <small class="muted">
                {r.status === 'verified' && cur
                  ? t.t('regenVerifiedCredited', { amount: t.money(r.credited, cur) })
                  : t.t(r.status === 'rejected' ? 'regenStatus_rejected' : 'regenStatus_reported')}
              </small>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
