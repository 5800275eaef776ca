import { BACKUP_REFUSALS } from './backups/contract.js';
import { ECOLOGY_REFUSALS } from './ecology/contract.js';
import { GENERAL_REFUSALS, type Refusal } from './errors.js';
import { FEDERATION_REFUSALS } from './federation/contract.js';
import { FLOW_REFUSALS } from './flow/contract.js';
import { GOVERNANCE_REFUSALS } from './governance/contract.js';
import { LEDGER_REFUSALS } from './ledger/contract.js';
import { LIBRARY_REFUSALS } from './library/contract.js';
import { MEMBER_REFUSALS } from './members/contract.js';
import { NOTIFICATION_REFUSALS } from './notifications/contract.js';
import { SKILLS_REFUSALS } from './skills/contract.js';
import { STORE_REFUSALS } from './store/contract.js';
import { UPDATE_REFUSALS } from './updates/contract.js';

/**
 * Every refusal the hub can give, by table: the OpenAPI document lists the
 * codes as an enum, so the console knows them by type and does not compile
 * without words for each.
 */
export const REFUSAL_TABLES = {
  general: GENERAL_REFUSALS,
  backups: BACKUP_REFUSALS,
  ecology: ECOLOGY_REFUSALS,
  federation: FEDERATION_REFUSALS,
  flow: FLOW_REFUSALS,
  governance: GOVERNANCE_REFUSALS,
  ledger: LEDGER_REFUSALS,
  library: LIBRARY_REFUSALS,
  members: MEMBER_REFUSALS,
  notifications: NOTIFICATION_REFUSALS,
  skills: SKILLS_REFUSALS,
  store: STORE_REFUSALS,
  updates: UPDATE_REFUSALS,
} as const;

type Tables = typeof REFUSAL_TABLES;
export type RefusalCode = { [M in keyof Tables]: keyof Tables[M] & string }[keyof Tables];

/** Each code once, with the one meaning every table that lists it gives it. */
export const REFUSALS: ReadonlyMap<RefusalCode, Refusal> = new Map(
  Object.values(REFUSAL_TABLES).flatMap((t) => Object.entries(t) as Array<[RefusalCode, Refusal]>),
);
export const REFUSAL_CODES = [...REFUSALS.keys()].sort() as [RefusalCode, ...RefusalCode[]];
