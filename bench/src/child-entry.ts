/**
 * The child side of in-child.ts: `node child-entry.js MODULE_URL EXPORT`
 * imports the module, awaits the export, and sends its result to the parent.
 */
const [moduleUrl, exportName] = process.argv.slice(2);
const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
try {
  const mod = (await import(moduleUrl!)) as Record<string, () => unknown>;
  const fn = mod[exportName!];
  if (typeof fn !== 'function') throw new Error(`${moduleUrl} has no export ${exportName}`);
  await send({ ok: true, value: await fn() });
} catch (e) {
  await send({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exitCode = 1;
}
process.disconnect();
