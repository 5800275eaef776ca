import type { Core } from '../core.js';
import { RESOURCES, type Resource } from '../flow/board.js';
import { VERSION } from '../version.js';
import type { BridgeSources } from './bridge.js';

/**
 * What the MQTT bridge publishes, read from the hub's modules: sensors with
 * their units, and the hub's own state. Signals from the board are counts
 * and quantities per resource, never who posted them.
 */
export function bridgeSources(core: Core, hubId: string): BridgeSources {
  const resources = Object.keys(RESOURCES) as Resource[];
  const minor = 10 ** core.config.currency.minorUnits;
  return {
    hubId,
    hubName: core.config.hub.name,
    version: VERSION,
    currency: { minorUnits: core.config.currency.minorUnits },
    sensor: (id) => {
      const d = core.devices.has(id) ? core.devices.get(id) : undefined;
      return { id, name: d?.name ?? id, model: d?.profile ?? null, place: d?.place ?? null };
    },
    unitOf: (sensor, metric) => core.sensing.unitOf(sensor, metric),
    state: () => {
      const budgets = core.ecology.budgets();
      const share = (b: 'water' | 'co2e') => {
        const s = budgets.find((x) => x.boundary === b)?.share;
        return s === null || s === undefined ? null : Math.round(s * 1000) / 10;
      };
      const price = core.ecology.waterPrice();
      const out: Record<string, number | string | null> = {
        multiplier: core.ecology.current()?.multiplier ?? null,
        water_budget_used: share('water'),
        co2e_budget_used: share('co2e'),
        water_price: (price.price ?? price.base) / minor,
        crisis: core.board.activeCrisis() ? 'ON' : 'OFF',
      };
      const open = core.board.listPosts({ status: 'open' });
      for (const r of resources) {
        const left = (kind: 'surplus' | 'need') => open.filter((p) => p.resource === r && p.kind === kind).reduce((a, p) => a + p.quantity - p.committed, 0);
        out[`surplus_${r}`] = left('surplus');
        out[`need_${r}`] = left('need');
      }
      return out;
    },
    extraEntities: () =>
      resources.flatMap((r) => [
        { name: `surplus_${r}`, label: `Surplus offered: ${r}`, unit: RESOURCES[r], icon: 'mdi:basket-plus' },
        { name: `need_${r}`, label: `Need posted: ${r}`, unit: RESOURCES[r], icon: 'mdi:basket-minus' },
      ]),
    queueDownlink: (devEui, body, by) => core.sensing.queueDownlink(devEui, body, by),
  };
}
