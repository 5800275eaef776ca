import { useState } from 'preact/hooks';
import { StatusLine, useActions } from '../actions.js';
import { send } from '../api.js';
import { useApp } from '../app.js';

/**
 * What the library does not have, asked of the neighbourhood: a need for a
 * tool on the Share board, where the flow engine matches it with anyone who
 * posts one as a surplus. Said beside the button, with the way to the board.
 */
export function AskNeighbourhood({ what }: { what: string }) {
  const { t } = useApp();
  const [asked, setAsked] = useState(false);
  const { msg, act } = useActions(async () => undefined);
  const ask = () =>
    act(async () => {
      await send('post', '/board/posts', { body: { kind: 'need', resource: 'tool', title: what.slice(0, 120), quantity: 1 } });
      setAsked(true);
    }, t.t('askedNeighbourhood'));
  return (
    <div data-testid="no-results">
      <p>{what ? t.tx('noToolsFound', { what }) : t.t('noToolsMatch')}</p>
      {what && !asked && (
        <button type="button" class="secondary" onClick={() => void ask()}>
          {t.t('askNeighbourhood')}
        </button>
      )}
      <StatusLine msg={msg} />
      {asked && <a href="#/share">{t.t('seeShareBoard')}</a>}
    </div>
  );
}
