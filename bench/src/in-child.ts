import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs one exported function of a bench module in a fresh Node process of
 * its own and resolves to what it returned (sent back over IPC as JSON).
 * A reference and the code it is compared with then never share a heap, a
 * garbage collector or a JIT's feedback: in one process, the second of the
 * two ran after the first's garbage and compiled code.
 */
export function inChild<T>(module: URL, exportName: string): Promise<T> {
  const entry = fileURLToPath(new URL('./child-entry.js', import.meta.url));
  const child = fork(entry, [module.href, exportName], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<T>((resolve, reject) => {
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    child.once('message', (m) => (result = m as typeof result));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result?.ok) resolve(result.value);
      else reject(new Error(`${exportName} in ${module.pathname} ${result ? `failed: ${result.error}` : `exited with ${code} and no result`}`));
    });
  });
}
