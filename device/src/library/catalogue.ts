import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import { sniffImage } from './photos.js';
import type { AuditEntry, Condition, Item, ItemKind, MaintenancePlan } from './types.js';
import { refuse } from './contract.js';
import type { Bookings } from './bookings.js';
import { LibraryPart, type LibraryDeps, type LibraryRecords } from './part.js';

export interface NewItem {
  kind?: ItemKind;
  code?: string;
  name: string;
  category: string;
  description?: string;
  location?: string;
  condition?: Condition;
  replacementValue?: number;
  deposit?: number;
  fee?: number;
  needsApproval?: boolean;
  needsInduction?: boolean;
  slotMinutes?: number;
  loanDays?: number;
  maxRenewals?: number;
  plan?: MaintenancePlan | null;
}

const CODE_PREFIX: Record<ItemKind, string> = { tool: 'T', equipment: 'E', space: 'S', vehicle: 'V' };

/**
 * The things the library lends: adding and describing them (codes, deposits,
 * fees, slots), finding them, their photos and their audit trail.
 */
export class Catalogue extends LibraryPart {
  constructor(
    deps: LibraryDeps,
    records: LibraryRecords,
    private readonly bookings: Bookings,
  ) {
    super(deps, records);
  }

  async addItem(input: NewItem, actor: string): Promise<Item> {
    const item = await this.store.write(() => {
      const kind = input.kind ?? 'tool';
      let code = input.code?.trim().toUpperCase();
      if (!code) {
        const n = this.db.meta.get(`next:${kind}`) ?? 1;
        this.db.meta.put(`next:${kind}`, n + 1);
        code = `${CODE_PREFIX[kind]}-${String(n).padStart(4, '0')}`;
      }
      if (this.db.codes.get(code)) throw HubError.conflict(`the code ${code} is already on another item`);
      for (const [k, v] of [
        ['deposit', input.deposit],
        ['fee', input.fee],
        ['replacementValue', input.replacementValue],
      ] as const) {
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw HubError.badRequest(`${k} must be a whole number of minor units ≥ 0`);
      }
      const slotMinutes = input.slotMinutes ?? (kind === 'space' || kind === 'vehicle' ? 60 : 1440);
      if (!Number.isInteger(slotMinutes) || slotMinutes < 15 || 1440 % slotMinutes !== 0)
        throw HubError.badRequest('slotMinutes must divide a day and be at least 15');
      const it: Item = {
        id: randomId('i_', 6),
        code,
        kind,
        name: input.name,
        category: input.category,
        description: input.description ?? '',
        location: input.location ?? '',
        condition: input.condition ?? 'good',
        replacementValue: input.replacementValue ?? 0,
        deposit: input.deposit ?? 0,
        fee: input.fee ?? 0,
        needsApproval: input.needsApproval ?? false,
        needsInduction: input.needsInduction ?? false,
        slotMinutes,
        loanDays: input.loanDays ?? (kind === 'tool' || kind === 'equipment' ? 7 : 1),
        maxRenewals: input.maxRenewals ?? 2,
        plan: input.plan ?? null,
        photos: [],
        status: 'available',
        loanCount: 0,
        createdAt: this.clock.now(),
      };
      this.db.items.put(it.id, it);
      this.db.codes.put(code, it.id);
      this.auditInTxn(it.id, actor, 'added', { code });
      return it;
    });
    this.log.info({ module: 'library', item: item.id, code: item.code, actor }, 'item added');
    return item;
  }

  async updateItem(id: string, patch: Partial<Omit<NewItem, 'code' | 'kind'>>, actor: string): Promise<Item> {
    return this.store.write(() => {
      const cur = this.item(id);
      const next: Item = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Item;
      this.db.items.put(id, next);
      this.auditInTxn(id, actor, 'updated', patch as Record<string, unknown>);
      return next;
    });
  }

  /** Search by text, category and kind; with a time range, only items free for all of it. */
  search(q: { text?: string; category?: string; kind?: ItemKind; availableFrom?: number; availableTo?: number; includeRetired?: boolean } = {}): Item[] {
    const text = q.text?.trim().toLowerCase();
    const out: Item[] = [];
    for (const { value } of this.db.items.getRange({})) {
      if (value.status === 'retired' && !q.includeRetired) continue;
      if (q.category && value.category !== q.category) continue;
      if (q.kind && value.kind !== q.kind) continue;
      if (text && !`${value.code} ${value.name} ${value.description} ${value.category}`.toLowerCase().includes(text)) continue;
      if (q.availableFrom !== undefined && q.availableTo !== undefined && !this.bookings.isFree(value, q.availableFrom, q.availableTo)) continue;
      out.push(value);
    }
    return out.sort((a, b) => a.code.localeCompare(b.code));
  }

  categories(): Array<{ category: string; items: number }> {
    const m = new Map<string, number>();
    for (const { value } of this.db.items.getRange({})) if (value.status !== 'retired') m.set(value.category, (m.get(value.category) ?? 0) + 1);
    return [...m].map(([category, items]) => ({ category, items })).sort((a, b) => a.category.localeCompare(b.category));
  }

  async addPhoto(itemId: string, bytes: Uint8Array, actor: string): Promise<{ id: string; mime: string }> {
    const mime = sniffImage(bytes);
    const id = randomId('ph_', 6);
    await this.store.write(() => {
      const it = this.item(itemId);
      if (it.photos.length >= 6) throw refuse('too-many-photos', 'an item has at most 6 photos');
      this.db.photos.put(id, { itemId: it.id, mime, bytes });
      this.db.items.put(it.id, { ...it, photos: [...it.photos, id] });
      this.auditInTxn(it.id, actor, 'photo added', { photo: id });
    });
    return { id, mime };
  }

  photo(id: string): { mime: string; bytes: Uint8Array } {
    return found(this.db.photos.get(id), `photo ${id}`);
  }

  auditOf(itemId: string): AuditEntry[] {
    const it = this.item(itemId);
    return [...this.db.audit.getRange({ start: [it.id, 0], end: [it.id, Number.MAX_SAFE_INTEGER] })].map((e) => e.value);
  }
}
