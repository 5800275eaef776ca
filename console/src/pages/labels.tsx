import { useLoad, StatusLine } from '../actions.js';
import { get } from '../api.js';
import { useApp } from '../app.js';

/**
 * Labels to print and stick on the tools: the code in large type, the name,
 * and a QR code of the item's page. The desk scans it; a resident's camera
 * opens the item's page from it. Printed on plain paper, cut out, taped on.
 */
export function LabelsPage() {
  const { t } = useApp();
  const labels = useLoad(() => get('/library/labels'));
  return (
    <section class="labels-page">
      <h2>{t.t('labelsTitle')}</h2>
      <p class="muted no-print">{t.t('labelsHow')}</p>
      <p class="no-print">
        <button onClick={() => print()}>{t.t('labelsPrintNow')}</button> <a href="#/desk">{t.t('desk')}</a>
      </p>
      <StatusLine msg={labels.msg} />
      <ul class="labels" data-testid="labels">
        {(labels.data ?? []).map((l) => (
          <li class="label" data-code={l.code}>
            {/* The hub made this SVG itself (qrcode), from the item's own address. */}
            <span class="qr" role="img" aria-label={t.t('labelsQr', { code: l.code })} dangerouslySetInnerHTML={{ __html: l.qrSvg }} />
            <strong>{l.code}</strong>
            <bdi>{l.name}</bdi>
          </li>
        ))}
      </ul>
    </section>
  );
}
