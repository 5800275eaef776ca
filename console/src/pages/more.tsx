import type { ComponentChildren } from 'preact';
import { useApp } from '../app.js';

/**
 * Everything beyond the four main tabs, as one list of large links a thumb
 * can reach, then the settings that used to crowd the header: language and
 * signing out.
 */
export function MorePage({ links, picker, onSignOut }: { links: ReadonlyArray<readonly [string, string]>; picker: ComponentChildren; onSignOut: () => void }) {
  const { t } = useApp();
  return (
    <section class="more">
      <h2>{t.t('moreNav')}</h2>
      <ul class="more-links">
        {links.map(([href, label]) => (
          <li>
            <a href={`#${href}`}>{label}</a>
          </li>
        ))}
      </ul>
      <h3>{t.t('settings')}</h3>
      {picker}
      <p>
        <button onClick={onSignOut}>{t.t('signOut')}</button>
      </p>
    </section>
  );
}
