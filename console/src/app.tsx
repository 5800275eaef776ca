import { describeIssue } from './issue-words.js';
import { refusalKey } from './refusal-words.js';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { get, ApiError, OfflineError, setCsrf, type Account, type Session, send } from './api.js';
import { LANGS, loadDict, pickLang, translator, type Dict, type Lang, type T } from './i18n.js';
import { lazy, Suspense } from 'preact/compat';
import { AccountPage } from './pages/account.js';
import { HistoryPage } from './pages/history.js';
import { LibraryPage } from './pages/library.js';
import { HomePage } from './pages/home.js';
import { JoinPage, SignInPage } from './pages/sign-in.js';
import { PayPage } from './pages/pay.js';
import { MorePage } from './pages/more.js';

// Pages most visits never open load on demand, to keep the first load small:
// the dashboard brings uPlot; links to other hubs, skills, sharing, the
// proposals and the steward's desk matter to fewer visits.
const pageCode = {
  dashboard: () => import('./pages/dashboard.js'),
  links: () => import('./pages/links.js'),
  skills: () => import('./pages/skills.js'),
  share: () => import('./pages/share.js'),
  steward: () => import('./pages/steward.js'),
  members: () => import('./pages/members.js'),
  proposals: () => import('./pages/proposals.js'),
  inbox: () => import('./pages/inbox.js'),
  phoneTree: () => import('./pages/phone-tree.js'),
  desk: () => import('./pages/desk.js'),
  labels: () => import('./pages/labels.js'),
};
const DashboardPage = lazy(() => pageCode.dashboard().then((m) => m.DashboardPage));
const LinksPage = lazy(() => pageCode.links().then((m) => m.LinksPage));
const SkillsPage = lazy(() => pageCode.skills().then((m) => m.SkillsPage));
const SharePage = lazy(() => pageCode.share().then((m) => m.SharePage));
const StewardPage = lazy(() => pageCode.steward().then((m) => m.StewardPage));
const MembersPage = lazy(() => pageCode.members().then((m) => m.MembersPage));
const ProposalsPage = lazy(() => pageCode.proposals().then((m) => m.ProposalsPage));
const InboxPage = lazy(() => pageCode.inbox().then((m) => m.InboxPage));
const PhoneTreePage = lazy(() => pageCode.phoneTree().then((m) => m.PhoneTreePage));
const DeskPage = lazy(() => pageCode.desk().then((m) => m.DeskPage));
const LabelsPage = lazy(() => pageCode.labels().then((m) => m.LabelsPage));

/** How often an open console asks for new notifications: the inbox works without push, which needs the browser makers' servers. */
const POLL_MS = 60_000;

/**
 * The number of unread notifications, asked for when the console opens,
 * every minute while it is on screen, when it comes back on screen and on
 * every move between pages.
 */
function useUnread(signedIn: boolean): [number, () => void] {
  const [n, setN] = useState(0);
  const ask = useCallback(() => {
    if (signedIn)
      void get('/notifications/unread-count').then(
        (r) => setN(r.unread),
        () => undefined,
      );
  }, [signedIn]);
  useEffect(() => {
    if (!signedIn) return;
    ask();
    const timer = setInterval(() => document.visibilityState === 'visible' && ask(), POLL_MS);
    const onShow = () => document.visibilityState === 'visible' && ask();
    addEventListener('hashchange', ask);
    document.addEventListener('visibilitychange', onShow);
    return () => {
      clearInterval(timer);
      removeEventListener('hashchange', ask);
      document.removeEventListener('visibilitychange', onShow);
    };
  }, [signedIn, ask]);
  return [n, ask];
}

function Bell({ t, n, current }: { t: T; n: number; current: boolean }) {
  return (
    <a href="#/inbox" class="bell" aria-label={t.t('bellLabel', { n })} aria-current={current ? 'page' : undefined} data-testid="bell">
      <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
        />
      </svg>
      {n > 0 && (
        <span class="badge" aria-hidden="true" data-testid="unread">
          {n > 99 ? '99+' : n}
        </span>
      )}
    </a>
  );
}

/**
 * Fetches the code of every on-demand page once the first page is up, so
 * that each still opens when the mesh link fails later: the browser keeps
 * the files (their names carry their content hash), as does the service
 * worker where there is one.
 */
export function fetchPagesAhead(): void {
  for (const load of Object.values(pageCode)) void load().catch(() => undefined);
}

export interface Ctx {
  t: T;
  session: Session;
  account: Account | null;
  /** Why the account could not be read, when the hub refused it (offline, the last copy shows instead). */
  accountError: unknown;
  names: Map<string, string>;
  refresh(): void;
  offlineSince: number | null;
}
export const AppContext = createContext<Ctx>(null as unknown as Ctx);
export const useApp = () => useContext(AppContext);

function useRoute(): [string, URLSearchParams] {
  const read = () => {
    const [path, query] = (location.hash.slice(1) || '/').split('?');
    return [path || '/', new URLSearchParams(query ?? '')] as [string, URLSearchParams];
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/**
 * A counterparty as a resident would say it: a member's name, or what a
 * system account is for (the fund, another neighbourhood's link, the
 * library's deposits and fees) instead of its internal id.
 */
export function counterparty(t: T, names: Map<string, string>, id: string | null): string {
  if (!id) return '';
  if (id === 'fund') return t.t('fund');
  if (id.startsWith('clearing:')) return t.t('anotherHub');
  if (id.startsWith('escrow:')) return t.t('depositsHeld');
  if (id.startsWith('pool:')) return t.t('libraryAccount');
  return names.get(id) ?? id;
}

/**
 * A refusal in the resident's language. The hub gives each problem a code
 * from its tables of refusals (`reason`), and every code it can give has
 * words here (refusal-words.ts checks it at compile time); the hub's English
 * shows only for a code from a newer hub.
 */
export function describeError(t: T, e: unknown, cur?: { minorUnits: number; symbol: string }): string {
  if (e instanceof OfflineError) return t.t(e.write ? 'offlineRefused' : 'offlineNothingKept');
  if (e instanceof ApiError) {
    const p = e.problem;
    // Bad input names its field and says what is wrong with it.
    const issue = p.reason === 'validation' ? p.issues?.[0] : undefined;
    if (issue) return describeIssue(t, issue);
    if (p.reason === 'over-credit-limit' && cur && typeof p.available === 'number')
      return t.t('err_over_credit_limit_available', { available: t.money(p.available, cur) });
    const key = refusalKey(p.reason);
    if (t.has(key)) return t.t(key);
    return p.detail ? `${p.title}: ${p.detail}` : p.title;
  }
  return t.t('error');
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => pickLang(localStorage.getItem('lang'), navigator.languages ?? [navigator.language]));
  // The words of the chosen language, loaded on their own (see loadDict); until they are in, the old ones stay.
  const [dict, setDict] = useState<{ lang: Lang; d: Dict } | null>(null);
  useEffect(() => {
    let live = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      loadDict(lang).then(
        (d) => live && setDict({ lang, d }),
        // The mesh dropped the download: try again shortly rather than show nothing for good.
        () => live && (retry = setTimeout(load, 2000)),
      );
    void load();
    return () => {
      live = false;
      clearTimeout(retry);
    };
  }, [lang]);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [account, setAccount] = useState<Account | null>(null);
  const [accountError, setAccountError] = useState<unknown>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [offlineSince, setOffline] = useState<number | null>(null);
  const [path, query] = useRoute();
  const [unread, askUnread] = useUnread(!!session);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('lang', lang);
  }, [lang]);

  const loadSession = useCallback(async () => {
    try {
      const s = await get('/sessions/current');
      setCsrf(s.csrfToken);
      setSession(s);
    } catch (e) {
      if (e instanceof OfflineError && (e as OfflineError & { cached?: Session }).cached) {
        setSession((e as OfflineError & { cached: Session }).cached);
        setOffline((e as OfflineError & { at: number }).at);
      } else setSession(null);
    }
  }, []);
  useEffect(() => void loadSession(), [loadSession]);

  const refresh = useCallback(async () => {
    if (!session) return;
    // Each answer on its own: offline, each falls back to its last copy.
    let offlineAt: number | null = null;
    const orCached = async <R,>(read: Promise<R>, refused?: (e: unknown) => void): Promise<R | undefined> => {
      try {
        return await read;
      } catch (e) {
        if (!(e instanceof OfflineError)) {
          refused?.(e);
          return undefined;
        }
        const c = e as OfflineError & { cached?: R; at?: number };
        offlineAt = Math.min(offlineAt ?? Infinity, c.at ?? Date.now());
        return c.cached;
      }
    };
    const [acct, dir] = await Promise.all([
      orCached(get('/accounts/{memberId}', { params: { memberId: session.member.id } }), setAccountError),
      orCached(get('/members')),
    ]);
    if (acct) {
      setAccount(acct);
      setAccountError(null);
    }
    if (dir) setNames(new Map(dir.directory.map((d) => [d.id, d.name])));
    setOffline(offlineAt);
  }, [session]);
  useEffect(() => void refresh(), [refresh]);

  if (!dict) return <main aria-busy="true" />;
  const t = translator(dict.lang, dict.d);

  const picker = (
    <label class="lang">
      <span class="visually-hidden">{t.t('language')}</span>
      <select aria-label={t.t('language')} value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}>
        {Object.entries(LANGS).map(([k, v]) => (
          <option value={k}>{v}</option>
        ))}
      </select>
    </label>
  );

  if (session === undefined) return <main aria-busy="true" />;
  if (session === null) {
    return (
      <div class="shell">
        <header>
          <h1>{t.t('appName')}</h1>
          {picker}
        </header>
        <main>
          {path === '/join' ? <JoinPage t={t} code={query.get('code') ?? ''} onJoined={loadSession} /> : <SignInPage t={t} onSignedIn={loadSession} />}
        </main>
      </div>
    );
  }

  const ctx: Ctx = { t, session, account, accountError, names, refresh, offlineSince };
  // Signed in with a one-time password: nothing else opens until the member has chosen their own.
  const mustChange = session.member.mustChangePassword === true;
  const signOut = async () => {
    await send('delete', '/sessions/current').catch(() => undefined);
    setCsrf(null);
    setSession(null);
  };
  // Four destinations and More (at most five, so every tab and the current one are always on
  // screen); the rest, the steward's desk among them, are one tap away under More.
  const moreLinks = [
    ['/history', t.t('history')],
    ['/skills', t.t('skills')],
    ['/share', t.t('sharing')],
    ['/proposals', t.t('proposals')],
    ['/links', t.t('otherHubs')],
    ...(session.member.role !== 'resident' ? ([['/steward', t.t('stewardDesk')]] as const) : []),
    ['/me', t.t('myAccount')],
  ] as const;
  const nav = [
    ['/', t.t('home')],
    ['/pay', t.t('pay')],
    ['/library', t.t('navTools')],
    ['/neighbourhood', t.t('navArea')],
  ] as const;
  const underMore =
    path === '/more' || path === '/members' || path === '/phone-tree' || moreLinks.some(([href]) => path === href || path.startsWith(`${href}/`));
  return (
    <AppContext.Provider value={ctx}>
      <div class="shell">
        <header>
          <h1>{t.t('appName')}</h1>
          {!mustChange && <Bell t={t} n={unread} current={path === '/inbox'} />}
        </header>
        {offlineSince !== null && (
          <p class="banner" role="status">
            {t.t('offline', { age: t.ago(Date.now() - offlineSince) })}
          </p>
        )}
        <main>
          {mustChange ? (
            <AccountPage required onChanged={loadSession} />
          ) : path === '/me' ? (
            <AccountPage required={false} onChanged={loadSession} />
          ) : path === '/pay' ? (
            <PayPage />
          ) : path === '/history' ? (
            <HistoryPage />
          ) : path === '/neighbourhood' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <DashboardPage />
            </Suspense>
          ) : path === '/proposals' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <ProposalsPage />
            </Suspense>
          ) : path === '/steward' && session.member.role !== 'resident' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <StewardPage />
            </Suspense>
          ) : (path === '/desk' || path === '/labels') && session.member.role !== 'resident' ? (
            <Suspense fallback={<p aria-busy="true" />}>{path === '/desk' ? <DeskPage /> : <LabelsPage />}</Suspense>
          ) : path === '/phone-tree' && session.member.role !== 'resident' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <PhoneTreePage />
            </Suspense>
          ) : path === '/members' && session.member.role !== 'resident' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <MembersPage />
            </Suspense>
          ) : path === '/skills' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <SkillsPage />
            </Suspense>
          ) : path === '/share' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <SharePage />
            </Suspense>
          ) : path === '/links' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <LinksPage />
            </Suspense>
          ) : path === '/inbox' ? (
            <Suspense fallback={<p aria-busy="true" />}>
              <InboxPage onRead={askUnread} />
            </Suspense>
          ) : path === '/more' ? (
            <MorePage links={moreLinks} picker={picker} onSignOut={signOut} />
          ) : path.startsWith('/library') ? (
            <LibraryPage code={path.split('/')[2] || null} />
          ) : (
            <HomePage />
          )}
        </main>
        {!mustChange && (
          <nav aria-label={t.t('mainNav')}>
            {nav.map(([href, label]) => (
              <a
                href={`#${href}`}
                aria-current={
                  path === href || (href !== '/' && path.startsWith(href)) || (href === '/library' && (path === '/desk' || path === '/labels'))
                    ? 'page'
                    : undefined
                }
              >
                {label}
              </a>
            ))}
            <a href="#/more" aria-current={underMore ? 'page' : undefined}>
              {t.t('moreNav')}
            </a>
          </nav>
        )}
      </div>
    </AppContext.Provider>
  );
}
