/**
 * `npm run bench -- NAME [NAME...]`: runs the named benchmarks (all when none
 * is named). Each prints its figures and a ratio against a reference that it
 * measures in the same run, on the same machine.
 */
const benches: Record<string, () => Promise<unknown>> = {
  ledger: () => import('./ledger.js').then((m) => m.run()),
  http: () => import('./http.js').then((m) => m.run()),
  flow: () => import('./flow.js').then((m) => m.run()),
  library: () => import('./library.js').then((m) => m.run()),
  lorawan: () => import('./lorawan.js').then((m) => m.run()),
  mqtt: () => import('./mqtt.js').then((m) => m.run()),
  federation: () => import('./federation.js').then((m) => m.run()),
  console: () => import('./console.js').then((m) => m.run()),
  startup: () => import('./startup.js').then((m) => m.run()),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = names.length ? names : Object.keys(benches);
for (const name of chosen) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`\n== ${name} ==\n`);
  await bench();
}
