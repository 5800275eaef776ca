/**
 * Encoders for the simulated sensors: the inverse of the shipped codecs,
 * from the same vendor layouts, so simulated uplinks are real payloads.
 */
const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const s16 = (v: number) => u16(v < 0 ? v + 0x10000 : v);

export function lse01(v: { battery: number; temperature: number; soilMoisture: number; soilTemperature: number; soilConductivity: number }): number[] {
  return [
    ...u16(Math.round(v.battery * 1000)),
    ...s16(Math.round(v.temperature * 10)),
    ...u16(Math.round(v.soilMoisture * 100)),
    ...s16(Math.round(v.soilTemperature * 100)),
    ...u16(Math.round(v.soilConductivity)),
    0,
  ];
}

export function ldds75(v: { battery: number; distance: number; temperature: number }): number[] {
  return [...u16(Math.round(v.battery * 1000)), ...u16(Math.round(v.distance)), 0, ...s16(Math.round(v.temperature * 10)), 1];
}

export function em300Pulses(v: { battery: number; pulses: number }): number[] {
  const p = Math.round(v.pulses) >>> 0;
  return [0x01, 0x75, Math.round(v.battery), 0x05, 0xc8, p & 0xff, (p >> 8) & 0xff, (p >> 16) & 0xff, (p >>> 24) & 0xff];
}

export function dl5tm(v: { deviceId: number; permittivity: number; soilTemperature: number; battery: number }): number[] {
  return [
    2,
    ...u16(v.deviceId),
    0,
    3,
    ...u16(Math.round(v.permittivity * 50)),
    ...u16(Math.round(v.soilTemperature * 10 + 400)),
    ...u16(Math.round(v.battery * 1000)),
  ];
}
