import { useEffect, useState } from 'preact/hooks';
import { get, ApiError, newKey, type Answer, send } from '../api.js';
import { Button, StatusLine, type Said } from '../actions.js';
import { describeError, useApp } from '../app.js';
import type { T } from '../i18n.js';

export type WaterQuote = Answer<'/api/v1/ecology/water-quote'>;

/**
 * The scarcity price of water, and paying the community fund for water
 * drawn. The price shows before anyone commits, as a number and as the
 * curve it follows, with today's use marked on it; the charge is the amount
 * the resident confirmed, and if the price moved meanwhile the hub refuses
 * it and the new amount is shown to confirm again.
 */
export function WaterCard({ initial }: { initial?: WaterQuote } = {}) {
  const { t, account, refresh } = useApp();
  // The neighbourhood page brings today's price in its own answer; alone, the card asks for it.
  const [now, setNow] = useState<WaterQuote | null>(initial ?? null);
  const [litres, setLitres] = useState('');
  const [review, setReview] = useState<WaterQuote | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const [key, setKey] = useState(() => newKey());
  useEffect(() => {
    if (!initial) void get('/ecology/water-quote', { query: { litres: 100 } }).then(setNow, (e) => setMsg({ ok: false, text: describeError(t, e) }));
  }, []);
  if (!now || !account) return null;
  const cur = account.currency;
  const n = Number(litres.trim());
  const valid = Number.isInteger(n) && n > 0 && n <= 1_000_000;

  const ask = async () => {
    try {
      setReview(await get('/ecology/water-quote', { query: { litres: n } }));
      setMsg(null);
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e, cur) });
    }
  };
  const confirm = async (q: WaterQuote) => {
    try {
      await send('post', '/ecology/water-payments', { body: { litres: q.litres, amount: q.amount }, idempotencyKey: key });
      setMsg({ ok: true, text: t.t('waterPaid', { litres: q.litres, amount: t.money(q.amount, cur) }) });
      setReview(null);
      setLitres('');
      setKey(newKey());
      refresh();
    } catch (e) {
      const fresh = e instanceof ApiError && e.problem.type.endsWith(':price-changed') ? (e.problem.quote as WaterQuote) : null;
      if (fresh) {
        // Nothing was charged: show the new amount and ask again.
        setReview(fresh);
        setNow({ ...fresh, litres: 100, amount: fresh.pricePer100Litres });
        setKey(newKey());
        setMsg({ ok: false, text: t.t('waterPriceChanged', { amount: t.money(fresh.amount, cur) }) });
      } else setMsg({ ok: false, text: describeError(t, e, cur) });
    }
  };

  return (
    <section class="card" aria-labelledby="water-h" data-testid="water-card">
      <h3 id="water-h">{t.t('waterPriceTitle')}</h3>
      <p class="big" data-testid="water-price">
        {t.t('per100Litres', { price: t.money(now.pricePer100Litres, cur) })}
      </p>
      <p>
        {now.ratio === null
          ? t.t('waterPriceNoReadings')
          : t.t('waterPriceNow', { use: Math.round(now.ratio * 100), base: t.money(now.basePer100Litres, cur) })}
        {now.capped && ` ${t.t('waterPriceCapped')}`}
      </p>
      <PriceCurve q={now} t={t} />
      {review ? (
        <div>
          <p data-testid="water-review">
            {t.t('waterReview', { litres: review.litres, amount: t.money(review.amount, cur), price: t.money(review.pricePer100Litres, cur) })}
          </p>
          <p>{t.t('balanceAfter', { amount: t.money(account.balance - review.amount, cur) })}</p>
          <button onClick={() => void confirm(review)}>{t.t('confirm')}</button>{' '}
          <button class="secondary" onClick={() => setReview(null)}>
            {t.t('back')}
          </button>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) void ask();
          }}
        >
          <label>
            {t.t('litresDrawn')}
            <input inputMode="numeric" value={litres} onInput={(e) => setLitres((e.target as HTMLInputElement).value)} />
          </label>
          <Button type="submit" why={!valid ? t.t('whyFillIn') : null}>
            {t.t('review')}
          </Button>
        </form>
      )}
      <StatusLine msg={msg} />
    </section>
  );
}

/** The price against use ÷ safe level: flat and cheap below the safe level, steep above it, flat again at the cap. */
function PriceCurve({ q, t }: { q: WaterQuote; t: T }) {
  const W = 320;
  const H = 140;
  const pad = { l: 8, r: 8, t: 10, b: 22 };
  const capAt = q.basePer100Litres > 0 ? Math.pow(q.capPer100Litres / q.basePer100Litres, 1 / Math.max(q.elasticity, 0.01)) : 2;
  const rMax = Math.max(1.5, Math.min(capAt * 1.25, 5), (q.ratio ?? 0) * 1.1);
  const price = (r: number) => Math.min(q.capPer100Litres, q.basePer100Litres * Math.pow(r, q.elasticity));
  const top = Math.max(q.capPer100Litres, 1);
  const x = (r: number) => pad.l + ((W - pad.l - pad.r) * r) / rMax;
  const y = (p: number) => H - pad.b - ((H - pad.t - pad.b) * p) / top;
  const pts = Array.from({ length: 61 }, (_, i) => (rMax * i) / 60).map((r) => `${x(r).toFixed(1)},${y(price(r)).toFixed(1)}`);
  const label = t.t('waterCurveLabel', { base: q.basePer100Litres, cap: q.capPer100Litres, use: q.ratio === null ? '—' : Math.round(q.ratio * 100) });
  return (
    <svg class="curve" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="water-curve">
      <title>{label}</title>
      <line x1={x(0)} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} stroke="currentColor" stroke-opacity="0.4" />
      <line x1={x(1)} y1={pad.t} x2={x(1)} y2={H - pad.b} stroke="currentColor" stroke-dasharray="4 3" stroke-opacity="0.6" />
      <text x={x(1) + 4} y={pad.t + 10} font-size="11" fill="currentColor">
        {t.t('safeLevel')}
      </text>
      <polyline points={pts.join(' ')} fill="none" stroke="#2b6cb0" stroke-width="2.5" />
      {q.ratio !== null && <circle cx={x(Math.min(q.ratio, rMax))} cy={y(price(q.ratio))} r="5" fill="#b5651d" />}
      <text x={x(0)} y={H - 6} font-size="11" fill="currentColor">
        {t.t('useVsSafe')}
      </text>
    </svg>
  );
}
