/**
 * The time module's contract: the closed sets of values its records use,
 * once. Types are inferred from them, and the HTTP schemas use the same arrays.
 */
export const TIME_SOURCES = ['system', 'chrony'] as const;
export type TimeSource = (typeof TIME_SOURCES)[number];
export const TIME_STATES = ['trusted', 'waiting'] as const;
export type TimeState = (typeof TIME_STATES)[number];
