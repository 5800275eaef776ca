/**
 * The console's words, in English, Swedish and Spanish. Every user-facing
 * string comes from here; numbers, money and dates use the chosen locale.
 */
export const LANGS = { en: 'English', sv: 'Svenska', es: 'Español' } as const;
export type Lang = keyof typeof LANGS;

const en = {
  appName: 'Hyphae',
  signIn: 'Sign in',
  signOut: 'Sign out',
  email: 'Email',
  password: 'Password',
  join: 'Join',
  joinTitle: 'Join the neighbourhood',
  inviteCode: 'Invite code (if you have one)',
  name: 'Your name',
  joinWithCode: 'Join',
  requestMembership: 'Ask to join',
  requested: 'Thank you! A steward will let you in soon.',
  welcome: 'Welcome, {name}',
  home: 'Home',
  pay: 'Pay',
  history: 'History',
  balance: 'Balance',
  hours: 'Time bank',
  hoursValue: '{n} h',
  limit: 'You can go down to {floor}',
  available: '{amount} available',
  nearLimit: 'You are close to your credit limit.',
  demurrage: 'Demurrage over the next 30 days: {amount}, to the community fund',
  recent: 'Recent activity',
  nothingYet: 'Nothing yet.',
  waiting: 'Waiting for you',
  requestFrom: '{name} asks you for {amount}',
  accept: 'Pay',
  reject: 'Decline',
  payTitle: 'Pay a neighbour',
  to: 'To',
  searchName: 'Start typing a name',
  amount: 'Amount',
  memo: 'What for (optional)',
  review: 'Review',
  confirmPay: 'Pay {amount} to {name}',
  balanceAfter: 'Your balance after: {amount}',
  confirm: 'Confirm',
  back: 'Back',
  paid: 'Paid {amount} to {name}.',
  exportCsv: 'Download CSV',
  filterAll: 'All',
  filterTransfers: 'Payments',
  filterDemurrage: 'Demurrage',
  more: 'Show more',
  offline: 'Offline: showing what the hub sent {age} ago. Changes cannot be sent until the connection is back.',
  offlineRefused: 'You are offline, so this was not sent. Try again when the hub is reachable.',
  language: 'Language',
  continue: 'Continue without signing in',
  error: 'Something went wrong',
  from: 'from {name}',
  toName: 'to {name}',
  fund: 'community fund',
};
export type Key = keyof typeof en;

const sv: Record<Key, string> = {
  appName: 'Hyphae',
  signIn: 'Logga in',
  signOut: 'Logga ut',
  email: 'E-post',
  password: 'Lösenord',
  join: 'Gå med',
  joinTitle: 'Gå med i grannskapet',
  inviteCode: 'Inbjudningskod (om du har en)',
  name: 'Ditt namn',
  joinWithCode: 'Gå med',
  requestMembership: 'Be om att få gå med',
  requested: 'Tack! En förvaltare släpper snart in dig.',
  welcome: 'Välkommen, {name}',
  home: 'Hem',
  pay: 'Betala',
  history: 'Historik',
  balance: 'Saldo',
  hours: 'Tidsbank',
  hoursValue: '{n} tim',
  limit: 'Du kan gå ner till {floor}',
  available: '{amount} tillgängligt',
  nearLimit: 'Du närmar dig din kreditgräns.',
  demurrage: 'Demurrage de närmaste 30 dagarna: {amount}, till gemensamma fonden',
  recent: 'Senaste händelser',
  nothingYet: 'Inget ännu.',
  waiting: 'Väntar på dig',
  requestFrom: '{name} ber dig om {amount}',
  accept: 'Betala',
  reject: 'Avböj',
  payTitle: 'Betala en granne',
  to: 'Till',
  searchName: 'Börja skriva ett namn',
  amount: 'Belopp',
  memo: 'För vad (valfritt)',
  review: 'Granska',
  confirmPay: 'Betala {amount} till {name}',
  balanceAfter: 'Ditt saldo efteråt: {amount}',
  confirm: 'Bekräfta',
  back: 'Tillbaka',
  paid: 'Betalade {amount} till {name}.',
  exportCsv: 'Ladda ner CSV',
  filterAll: 'Allt',
  filterTransfers: 'Betalningar',
  filterDemurrage: 'Demurrage',
  more: 'Visa fler',
  offline: 'Offline: visar vad hubben skickade för {age} sedan. Ändringar kan inte skickas förrän anslutningen är tillbaka.',
  offlineRefused: 'Du är offline, så detta skickades inte. Försök igen när hubben nås.',
  language: 'Språk',
  continue: 'Fortsätt utan att logga in',
  error: 'Något gick fel',
  from: 'från {name}',
  toName: 'till {name}',
  fund: 'gemensamma fonden',
};

const es: Record<Key, string> = {
  appName: 'Hyphae',
  signIn: 'Entrar',
  signOut: 'Salir',
  email: 'Correo',
  password: 'Contraseña',
  join: 'Unirse',
  joinTitle: 'Únete al barrio',
  inviteCode: 'Código de invitación (si tienes uno)',
  name: 'Tu nombre',
  joinWithCode: 'Unirse',
  requestMembership: 'Pedir unirse',
  requested: '¡Gracias! Una persona administradora te dará acceso pronto.',
  welcome: 'Hola, {name}',
  home: 'Inicio',
  pay: 'Pagar',
  history: 'Historial',
  balance: 'Saldo',
  hours: 'Banco de tiempo',
  hoursValue: '{n} h',
  limit: 'Puedes bajar hasta {floor}',
  available: '{amount} disponible',
  nearLimit: 'Estás cerca de tu límite de crédito.',
  demurrage: 'Oxidación en los próximos 30 días: {amount}, al fondo común',
  recent: 'Actividad reciente',
  nothingYet: 'Nada todavía.',
  waiting: 'Te esperan',
  requestFrom: '{name} te pide {amount}',
  accept: 'Pagar',
  reject: 'Rechazar',
  payTitle: 'Pagar a un vecino',
  to: 'A',
  searchName: 'Empieza a escribir un nombre',
  amount: 'Importe',
  memo: 'Concepto (opcional)',
  review: 'Revisar',
  confirmPay: 'Pagar {amount} a {name}',
  balanceAfter: 'Tu saldo después: {amount}',
  confirm: 'Confirmar',
  back: 'Volver',
  paid: 'Pagaste {amount} a {name}.',
  exportCsv: 'Descargar CSV',
  filterAll: 'Todo',
  filterTransfers: 'Pagos',
  filterDemurrage: 'Oxidación',
  more: 'Ver más',
  offline: 'Sin conexión: mostramos lo que el nodo envió hace {age}. Los cambios no se pueden enviar hasta que vuelva la conexión.',
  offlineRefused: 'No hay conexión, así que esto no se envió. Inténtalo de nuevo cuando el nodo responda.',
  language: 'Idioma',
  continue: 'Seguir sin entrar',
  error: 'Algo salió mal',
  from: 'de {name}',
  toName: 'a {name}',
  fund: 'fondo común',
};

export const DICTS: Record<Lang, Record<Key, string>> = { en, sv, es };
const LOCALES: Record<Lang, string> = { en: 'en-GB', sv: 'sv-SE', es: 'es-ES' };

export function pickLang(saved: string | null, browser: readonly string[]): Lang {
  if (saved && saved in LANGS) return saved as Lang;
  for (const b of browser) {
    const l = b.slice(0, 2).toLowerCase();
    if (l in LANGS) return l as Lang;
  }
  return 'en';
}

export function translator(lang: Lang) {
  const d = DICTS[lang];
  const locale = LOCALES[lang];
  const t = (k: Key, vars: Record<string, string | number> = {}) => d[k].replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? ''));
  const money = (minor: number, cur: { minorUnits: number; symbol: string }) =>
    `${new Intl.NumberFormat(locale, { minimumFractionDigits: cur.minorUnits, maximumFractionDigits: cur.minorUnits }).format(minor / 10 ** cur.minorUnits)} ${cur.symbol}`;
  const hours = (hundredths: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(hundredths / 100);
  const date = (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
  const ago = (ms: number) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-Math.round(ms / 60_000), 'minute').replace(/^-/, '');
  return { t, money, hours, date, ago, locale };
}
export type T = ReturnType<typeof translator>;
