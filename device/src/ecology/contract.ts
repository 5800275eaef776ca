import { refusals, refuser } from '../errors.js';

/** What the ecology module (water prices, regeneration reports) refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const ECOLOGY_REFUSALS = refusals(
  {
    'rule-broken': ['already-decided', 'not-your-own-work'],
    'price-changed': ['price-changed'],
  },
  { 'price-changed': 'The price has changed' },
);

export const refuse = refuser(ECOLOGY_REFUSALS);

// Its records' closed sets of values, once: types are inferred from them, and the HTTP schemas (z.enum) use the same arrays.
// A regeneration report: what kind of work it was, and whether a steward has verified it.
export const REGENERATION_KINDS = ['trees', 'compost', 'land', 'other'] as const;
export type RegenerationKind = (typeof REGENERATION_KINDS)[number];
export const REPORT_STATUSES = ['reported', 'verified', 'rejected'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
// Where a member's productive capacity came from.
export const CAPACITY_SOURCES = ['set-by-steward', 'default', 'no-capacity', 'ecology'] as const;
export type CapacitySource = (typeof CAPACITY_SOURCES)[number];
// The planetary boundaries and the indicators the multipliers are made of.
export const BOUNDARIES = ['water', 'co2e'] as const;
export type Boundary = (typeof BOUNDARIES)[number];
export const INDICATOR_NAMES = ['solar', 'water', 'soil', 'work'] as const;
export type IndicatorName = (typeof INDICATOR_NAMES)[number];

/** The plots of the neighbourhood page, in the order it shows them; the console titles each from its kind. */
export const PLOT_KINDS = ['energy', 'solar', 'water', 'soil', 'multiplier', 'water-price'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];
/** A series the console names itself; the others carry the place or device they measure. */
export const SERIES_ROLES = ['generated', 'used', 'safe-level', 'price'] as const;
export type SeriesRole = (typeof SERIES_ROLES)[number];
