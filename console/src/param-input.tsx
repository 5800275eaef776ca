import { useApp } from './app.js';
import type { Schemas } from './api.js';
import { paramLabel, paramValue } from './governance-words.js';

type Param = Schemas['ParameterView'];

/**
 * Pick one of the community's parameters and type its new value in the
 * units it is shown in (a switch for on/off ones), with today's value beside.
 * Used by a proposal and by a steward's emergency change.
 */
export function ParamValueInput({
  params,
  name,
  value,
  onName,
  onValue,
  field,
}: {
  params: Param[];
  name: string;
  value: string;
  onName: (n: string) => void;
  onValue: (v: string) => void;
  field: string;
}) {
  const { t, account } = useApp();
  const param = params.find((p) => p.name === name);
  return (
    <>
      <label>
        {t.t('proposalParam')}
        <select name={`${field}-param`} value={name} onChange={(e) => (onName((e.target as HTMLSelectElement).value), onValue(''))}>
          <option value="" />
          {params.map((p) => (
            <option value={p.name}>{paramLabel(t, p.name)}</option>
          ))}
        </select>
      </label>
      {param && (
        <label>
          {t.t('proposalValue')} <small class="muted">({t.t('proposalValueNow', { value: paramValue(t, param.name, param.value, account?.currency) })})</small>
          {typeof param.value === 'boolean' ? (
            <select name={`${field}-value`} value={value} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
              <option value="" />
              <option value="true">{t.t('on')}</option>
              <option value="false">{t.t('off')}</option>
            </select>
          ) : (
            <input name={`${field}-value`} inputMode="decimal" value={value} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
          )}
        </label>
      )}
    </>
  );
}
