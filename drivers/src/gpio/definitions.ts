import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFINITIONS_DIR } from '../lorawan/definitions.js';

/**
 * Sensors wired to the hub's own pins, as data: one file per vendor's part
 * under drivers/definitions/gpio. The file says how the part is read and
 * what a raw value means; the hub's config says which pin it is on.
 */
const base = {
  id: z.string().regex(/^[a-z0-9-]+$/),
  vendor: z.string(),
  model: z.string(),
  description: z.string(),
  metric: z.string().regex(/^[a-z0-9_]+$/),
  unit: z.string().nullable(),
  reportSeconds: z.number().int().min(1).default(60),
};

const calibration = z
  .object({ dry: z.number().int().min(0).max(65535), wet: z.number().int().min(0).max(65535) })
  .refine((c) => c.dry !== c.wet, 'dry and wet readings must differ');

export const gpioDefinitionSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('analog'), calibration, sampleMs: z.number().int().min(10).default(1000) }),
  z.object({ ...base, kind: z.literal('onewire-temperature'), sampleMs: z.number().int().min(10).default(1000) }),
  z.object({ ...base, kind: z.literal('pulse-counter'), perPulse: z.number().positive(), debounceMs: z.number().int().min(0).default(50) }),
]);

export type GpioDefinition = z.infer<typeof gpioDefinitionSchema>;
export type Calibration = z.infer<typeof calibration>;

export const GPIO_DIR = join(DEFINITIONS_DIR, 'gpio');

export function loadGpioDefinitions(dir = GPIO_DIR): Map<string, GpioDefinition> {
  const out = new Map<string, GpioDefinition>();
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const parsed = gpioDefinitionSchema.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    if (!parsed.success) throw new Error(`${f}: ${z.prettifyError(parsed.error)}`);
    out.set(parsed.data.id, parsed.data);
  }
  return out;
}

/**
 * A capacitive probe reads lower as the soil gets wetter. Map the raw ADC
 * value linearly between the probe's dry and wet readings onto 0–100 %,
 * clamped, to one decimal; outside the calibrated span by more than a
 * tenth of it means a loose wire or a probe out of the ground.
 */
export function calibrate(raw: number, c: Calibration): { value: number; outOfRange: boolean } {
  const span = c.dry - c.wet;
  const pct = ((c.dry - raw) / span) * 100;
  const outOfRange = pct < -10 || pct > 110;
  return { value: Math.round(Math.min(100, Math.max(0, pct)) * 10) / 10, outOfRange };
}

/** DS18B20 scratchpad bytes 0–1 are a signed 12-bit value in sixteenths of a degree. */
export function ds18b20Celsius(raw: number): number {
  const signed = raw & 0x8000 ? raw - 0x10000 : raw;
  return signed / 16;
}

/** 85 °C is the value a DS18B20 holds before its first conversion: a reset or brown-out, not a reading. */
export const DS18B20_POWER_ON = 0x0550;
