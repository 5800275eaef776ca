import { expect, it } from 'vitest';

// The compiled modules (npm test builds first): a child runs JavaScript, as the benches do.
const dist = new URL('../dist/', import.meta.url);
const { inChild } = (await import(new URL('in-child.js', dist).href)) as typeof import('./in-child.js');
const probe = new URL('child-probe.js', dist);

it('runs a bench function in a fresh process of its own and hands back its result', async () => {
  const a = await inChild<{ pid: number; parent: number }>(probe, 'whoAmI');
  const b = await inChild<{ pid: number; parent: number }>(probe, 'whoAmI');
  expect(a.parent).toBe(process.pid);
  expect(a.pid).not.toBe(process.pid);
  expect(b.pid).not.toBe(a.pid);
});

it('rejects with the child’s error, or with a missing export named', async () => {
  await expect(inChild(probe, 'fails')).rejects.toThrow(/failed as asked/);
  await expect(inChild(probe, 'nothing')).rejects.toThrow(/no export nothing/);
});
