/**
 * The console's service worker: the app's own files from the cache when the
 * mesh link drops (API data is cached by the app itself, with its age), and
 * alerts pushed by the hub, worded here in the phone's language from the
 * facts they carry, with the same table the inbox uses. Built on its own
 * (vite.sw.config.mjs) into /sw.js, with every language's words: an alert
 * arrives when no page is open to load them.
 */
import { en } from './i18n/en.js';
import { es } from './i18n/es.js';
import { sv } from './i18n/sv.js';
import { pickLang, translator, type Dict, type Lang } from './i18n.js';
import { noteHref, noteText, type Note } from './notes.js';

// The DOM library has no service-worker types and cannot be mixed with the WebWorker one; these are the parts used.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  notification: Notification & { data: { href?: string } | null };
}
interface WindowClient {
  url: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
}
interface SwScope {
  registration: ServiceWorkerRegistration;
  clients: {
    claim(): Promise<void>;
    matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', l: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', l: (e: FetchEvent) => void): void;
  addEventListener(type: 'push', l: (e: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', l: (e: NotificationEvent) => void): void;
}
const sw = self as unknown as SwScope;

const CACHE = 'hyphae-shell-v1';
sw.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(['/', '/manifest.webmanifest']))
      .then(() => sw.skipWaiting()),
  );
});
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));
sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.pathname.startsWith('/api/')) return;
  e.respondWith(
    fetch(e.request)
      .then((res) => {
        const copy = res.clone();
        if (res.ok) void caches.open(CACHE).then((c) => c.put(e.request, copy));
        return res;
      })
      .catch(() => caches.match(e.request).then((r) => r ?? caches.match('/').then((home) => home ?? Response.error()))),
  );
});

/** What the hub pushes (device/src/notifications/push.ts, PushPayload). */
interface Pushed {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  ref: string | null;
  at: number;
  hub: string;
  lang: string;
  text: string;
  names: Record<string, string>;
  currency: { symbol: string; minorUnits: number };
}

const DICTS: Record<Lang, Dict> = { en, sv, es };

/** The alert as the phone shows it: the hub's name as title, the notification in the phone's language. */
export function alertOf(p: Pushed): { title: string; body: string; href: string; lang: Lang } {
  const lang = pickLang(p.lang, []);
  const t = translator(lang, DICTS[lang]);
  const note = { id: p.id, memberId: '', at: p.at, kind: p.kind, text: p.text, ref: p.ref, read: false, params: p.params } as Note;
  const body = noteText(note, { t, cur: p.currency, who: (id) => p.names[id] ?? id });
  return { title: p.hub, body, href: `/${noteHref(note) ?? '#/inbox'}`, lang };
}

sw.addEventListener('push', (e) => {
  let p: Pushed | null = null;
  try {
    p = (e.data?.json() ?? null) as Pushed | null;
  } catch {
    p = null;
  }
  if (!p || typeof p.kind !== 'string') return;
  const a = alertOf(p);
  const urgent = p.kind === 'emergency-declared';
  // The tag is the notification's id: the same news pushed twice shows once.
  e.waitUntil(
    sw.registration.showNotification(a.title, {
      body: a.body,
      tag: p.id,
      lang: a.lang,
      icon: '/icon-192.png',
      badge: '/icon-192.png',
      data: { href: a.href },
      requireInteraction: urgent,
    }),
  );
});

sw.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const href = e.notification.data?.href ?? '/#/inbox';
  e.waitUntil(
    sw.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (open) => {
      const mine = open[0];
      if (mine) {
        await mine.navigate(href).catch(() => null);
        await mine.focus();
        return;
      }
      await sw.clients.openWindow(href);
    }),
  );
});
