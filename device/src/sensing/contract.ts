/**
 * The sensing module's contract: the closed sets of values its records use,
 * once. Types are inferred from them, and the HTTP schemas use the same arrays.
 */
export const DEVICE_CLASSES = ['A', 'C'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];
export const DEVICE_KINDS = ['lorawan', 'modbus', 'gpio'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
export const DOWNLINK_STATES = ['queued', 'sent', 'acknowledged', 'expired'] as const;
export type DownlinkState = (typeof DOWNLINK_STATES)[number];
