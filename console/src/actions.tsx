import { useEffect, useState } from 'preact/hooks';
import { describeError, useApp } from './app.js';

/**
 * What the pages that change things share: run a call, say how it went in
 * one status line, and reload what the page shows. A failed load says why
 * in the same line.
 */
export interface Said {
  ok: boolean;
  text: string;
}

export function useActions(load: () => Promise<void>, after?: () => void) {
  const { t } = useApp();
  const [msg, setMsg] = useState<Said | null>(null);
  useEffect(() => void load().catch((e) => setMsg({ ok: false, text: describeError(t, e) })), []);
  /** Runs `fn`; on success reloads, then shows `ok` (or what it says of the hub's answer). Resolves true when it worked. */
  const act = async <R,>(fn: () => Promise<R>, ok: string | ((result: R) => string)): Promise<boolean> => {
    try {
      const result = await fn();
      // Reloaded before it is announced: whoever reads the confirmation sees the change on the page.
      await load();
      after?.();
      setMsg({ ok: true, text: typeof ok === 'function' ? ok(result) : ok });
      return true;
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e) });
      return false;
    }
  };
  /** `say` is for what the page finds wrong itself, before anything is sent. */
  return { msg, act, say: setMsg };
}

/** How an action went: done politely, a refusal announced at once. */
export function StatusLine({ msg }: { msg: Said | null }) {
  if (!msg) return null;
  return (
    <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>
      {msg.text}
    </p>
  );
}

/** A yes and a no for something waiting on this member or steward. */
export function YesNo({ yes, no, onAnswer }: { yes: string; no: string; onAnswer: (accept: boolean) => void }) {
  return (
    <span class="filters">
      <button onClick={() => onAnswer(true)}>{yes}</button>
      <button class="secondary" onClick={() => onAnswer(false)}>
        {no}
      </button>
    </span>
  );
}
