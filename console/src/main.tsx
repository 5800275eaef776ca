import { render } from 'preact';
import { App, fetchPagesAhead } from './app.js';
import './style.css';

const root = document.getElementById('app');
if (root) render(<App />, root);

/**
 * The shell must start on a flaky mesh link. In a secure context (https, or
 * localhost) a service worker keeps it; on the hub's plain-http Wi-Fi there
 * is none, and the hub lets the browser keep the page for a day instead.
 * Either way a kept shell may be older than the hub's: once the hub answers,
 * ask for the current page and, if it names other code, start again on it.
 */
async function checkForNewerShell(): Promise<void> {
  const mine = document.querySelector('script[type=module][src]')?.getAttribute('src');
  if (!mine) return;
  try {
    const current = await (await fetch('/', { cache: 'no-cache' })).text();
    if (!current.includes(mine)) location.reload();
  } catch {
    // offline: keep the shell we have
  }
}

addEventListener('load', () => {
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  // After the first page is up, so as not to compete with it on a slow link.
  setTimeout(() => {
    fetchPagesAhead();
    void checkForNewerShell();
  }, 1_500);
});
