/**
 * Waits for something a simulator or hub process will do, checking every
 * `everyMs`; fails with `what` (built lazily, so it can show logs as they
 * are when the wait gives up) after `timeoutMs`. Never a timing assertion:
 * the timeout only bounds a hang.
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string | (() => string), { timeoutMs = 10_000, everyMs = 50 } = {}): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A JSON call to a hub's API with a bearer token, as the provisioning tool and other hubs make. */
export async function callHub(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

/** The same call with the answer's status beside its JSON, for tests that check refusals too. */
export function apiAs(baseUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
}
