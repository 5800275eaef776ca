/**
 * `verify --hub URL`: a checklist an installer reads before leaving. Each
 * item is green or red with the reason; any red fails the exit code.
 */
export interface Check {
  item: string;
  ok: boolean;
  detail: string;
}

interface Options {
  hub: string;
  token: string | null;
  staleMinutes: number;
  now?: () => number;
}

// biome-ignore lint/suspicious/noExplicitAny: a live hub of any version answers; each check reads the fields it needs and says what is missing
async function get(url: string, token: string | null): Promise<{ status: number; json: any; text: string; type: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // HTML or plain text
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

export async function verifyHub(o: Options): Promise<Check[]> {
  const base = o.hub.replace(/\/$/, '');
  const now = o.now ?? Date.now;
  const checks: Check[] = [];
  const add = (item: string, ok: boolean, detail: string) => checks.push({ item, ok, detail });
  let health;
  try {
    health = await get(`${base}/api/v1/health`, null);
  } catch (e) {
    add('hub answers', false, `cannot reach ${base}: ${(e as Error).message}`);
    return checks;
  }
  add(
    'health and version',
    health.status === 200 && health.json?.status === 'ok',
    health.status === 200 ? `${health.json.hub}, version ${health.json.version}, hub id ${health.json.hubId ?? '?'}` : `HTTP ${health.status}`,
  );
  const skew = health.json?.time ? Math.abs(Date.parse(health.json.time) - now()) / 1000 : Infinity;
  add('time in sync', skew < 10, Number.isFinite(skew) ? `${skew.toFixed(1)} s from this laptop's clock` : 'the hub did not say its time');
  const st = health.json?.storage as { freeBytes: number; totalBytes: number } | null;
  add(
    'free storage',
    !!st && st.freeBytes > Math.max(512 * 1024 ** 2, st.totalBytes * 0.1),
    st ? `${(st.freeBytes / 1024 ** 3).toFixed(1)} GiB free of ${(st.totalBytes / 1024 ** 3).toFixed(1)} GiB` : 'unknown',
  );

  if (!o.token) {
    add('sensors and gateway', false, "give --token (a steward's) to check the gateway and sensors");
  } else {
    const gw = await get(`${base}/api/v1/gateways`, o.token);
    if (gw.status !== 200) add('gateway seen', false, `HTTP ${gw.status}: ${gw.json?.title ?? ''}`);
    else {
      const fresh = (gw.json.gateways as Array<{ eui: string; lastSeen: number }>).filter((g) => now() - g.lastSeen < o.staleMinutes * 60_000);
      add(
        'gateway seen',
        fresh.length > 0,
        fresh.length
          ? fresh.map((g) => `${g.eui} ${Math.round((now() - g.lastSeen) / 1000)} s ago`).join(', ')
          : `no packet forwarder heard from in ${o.staleMinutes} min`,
      );
      const modbus = (gw.json.modbus ?? []) as Array<{ id: string; failures: number; reads: number; lastError: string | null }>;
      for (const m of modbus)
        add(
          `Modbus ${m.id} answering`,
          m.failures === 0 && m.reads > 0,
          m.failures ? `failing: ${m.lastError ?? 'no answer'}` : m.reads ? `${m.reads} reads` : 'not read yet',
        );
    }
    const devs = await get(`${base}/api/v1/devices`, o.token);
    if (devs.status === 200) {
      for (const { device, health: h } of devs.json as Array<{ device: { id: string; name: string; kind: string }; health: { lastSeen: number | null } }>) {
        if (device.kind !== 'lorawan') continue;
        const age = h.lastSeen ? (now() - h.lastSeen) / 60_000 : Infinity;
        add(`sensor ${device.name} reporting`, age < o.staleMinutes, h.lastSeen ? `last heard ${age.toFixed(1)} min ago` : 'never heard');
      }
    } else add('sensors reporting', false, `HTTP ${devs.status}`);
  }
  try {
    const page = await get(`${base}/`, null);
    add('console reachable', page.status === 200 && page.type.includes('text/html'), page.status === 200 ? 'the console page loads' : `HTTP ${page.status}`);
  } catch (e) {
    add('console reachable', false, (e as Error).message);
  }
  return checks;
}

export function printChecklist(checks: Check[], out: NodeJS.WritableStream = process.stdout): void {
  for (const c of checks) out.write(`${c.ok ? '✔' : '✘'} ${c.item.padEnd(34)} ${c.detail}\n`);
  const red = checks.filter((c) => !c.ok).length;
  out.write(red ? `\n${red} item${red > 1 ? 's' : ''} need attention.\n` : '\nAll green.\n');
}
