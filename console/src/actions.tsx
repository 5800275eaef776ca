import type { JSX } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { OfflineError } from './api.js';
import { describeError, useApp } from './app.js';

/**
 * What the pages that change things share: run a call, say how it went in
 * one status line, and reload what the page shows. A failed load says why
 * in the same line.
 */
export interface Said {
  ok: boolean;
  text: string;
  /** Where the action was taken: a StatusLine with the same `at` shows it there, beside its button. */
  at?: string;
}

export function useActions(load: () => Promise<void>, after?: () => unknown) {
  const { t } = useApp();
  const [msg, setMsg] = useState<Said | null>(null);
  useEffect(() => void load().catch((e) => setMsg({ ok: false, text: describeError(t, e) })), []);
  /**
   * Runs `fn`; on success reloads, then shows `ok` (or what it says of the
   * hub's answer). Resolves true when it worked. With `at`, the result shows
   * in the StatusLine of that name, beside the button that did it.
   */
  const act = async <R,>(fn: () => Promise<R>, ok: string | ((result: R) => string), at?: string): Promise<boolean> => {
    // The last result stays until this one is known: clearing it first would redraw controlled
    // inputs (a checkbox just ticked) from data not yet reloaded.
    try {
      const result = await fn();
      // Reloaded before it is announced, the parent's part too (`after`): whoever reads the
      // confirmation sees the whole change on the page.
      await load();
      await after?.();
      setMsg({ ok: true, text: typeof ok === 'function' ? ok(result) : ok, at });
      return true;
    } catch (e) {
      setMsg({ ok: false, text: describeError(t, e), at });
      return false;
    }
  };
  /** `say` is for what the page finds wrong itself, before anything is sent. */
  return { msg, act, say: setMsg };
}

/**
 * A button that says why it cannot be pressed: given a reason it is
 * disabled, and the reason shows beside it and is read with it by screen
 * readers (aria-describedby). Without one it is an ordinary button.
 */
export function Button({ why, children, ...props }: Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> & { why: string | null }) {
  const id = useId();
  return (
    <>
      <button {...props} disabled={why !== null} aria-describedby={why !== null ? id : undefined}>
        {children}
      </button>
      {why !== null && (
        <small id={id} class="why muted">
          {why}
        </small>
      )}
    </>
  );
}

/** How an action went: done politely, a refusal announced at once. */
export function StatusLine({ msg, at }: { msg: Said | null; at?: string }) {
  if (!msg || msg.at !== at) return null;
  return (
    <p role={msg.ok ? 'status' : 'alert'} class={msg.ok ? 'ok' : 'error'}>
      {msg.text}
    </p>
  );
}

/**
 * Data a page shows, loaded when it opens (and again on `reload`). A refusal
 * or an unreachable hub is said in the status line it returns, never
 * swallowed; offline, the last copy shows with the offline words.
 */
export function useLoad<R>(load: () => Promise<R>, deps: unknown[] = []) {
  const { t } = useApp();
  const [data, setData] = useState<R | null>(null);
  const [msg, setMsg] = useState<Said | null>(null);
  const reload = async (): Promise<void> => {
    try {
      setData(await load());
      setMsg(null);
    } catch (e) {
      const kept = e instanceof OfflineError ? (e as OfflineError & { cached?: R }).cached : undefined;
      if (kept !== undefined) setData(kept);
      setMsg({ ok: false, text: describeError(t, e) });
    }
  };
  useEffect(() => void reload(), deps);
  return { data, msg, reload };
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
