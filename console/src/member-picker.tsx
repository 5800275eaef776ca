import { useMemo, useState } from 'preact/hooks';
import { useApp } from './app.js';

/**
 * Pick a member by typing the start of their name: the neighbourhood's
 * names are already on the phone, so matching needs no round trip.
 */
export function MemberPicker({
  label,
  value,
  onChange,
  exclude,
}: {
  label: string;
  value: string | null;
  onChange: (id: string | null) => void;
  exclude?: string;
}) {
  const { t, names } = useApp();
  const [query, setQuery] = useState('');
  const matches = useMemo(
    () => [...names].filter(([id, n]) => id !== exclude && query.length > 0 && n.toLowerCase().includes(query.toLowerCase())).slice(0, 6),
    [names, query, exclude],
  );
  return (
    <>
      <label>
        {label}
        <input
          value={value ? (names.get(value) ?? '') : query}
          placeholder={t.t('searchName')}
          onInput={(e) => (onChange(null), setQuery((e.target as HTMLInputElement).value))}
          autocomplete="off"
        />
      </label>
      {!value && matches.length > 0 && (
        <ul class="choices" role="listbox" aria-label={label}>
          {matches.map(([id, n]) => (
            <li role="option" aria-selected="false">
              <button type="button" class="link" onClick={() => (setQuery(''), onChange(id))}>
                {n}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
