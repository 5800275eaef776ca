import { hash } from '@node-rs/argon2';
import { configSchema, generateIdentity, type RegionId, oneTimePassword, type HubConfig, type HubIdentity } from '@hyphae/device';

/**
 * What provisioning writes onto the card's boot partition, under hyphae/:
 * hub.json (the hub's config, validated against the hub's own schema, so the
 * two can never disagree) and hub.key (the Ed25519 private key).
 */
export interface InitAnswers {
  name: string;
  place: string;
  currencyName: string;
  currencySymbol: string;
  minorUnits: number;
  timeBank: boolean;
  ssid: string;
  passphrase: string;
  channel: number;
  country: string;
  region: RegionId;
  stewardEmail: string;
  timezone: string;
}

export interface HubFiles {
  config: HubConfig;
  identity: HubIdentity;
  /** Shown once to the installer, never stored. */
  stewardPassword: string;
  files: Record<string, string>;
}

export class ProvisionError extends Error {}

export async function buildHubFiles(a: InitAnswers, identity: HubIdentity = generateIdentity()): Promise<HubFiles> {
  if (a.passphrase && (a.passphrase.length < 8 || a.passphrase.length > 63))
    throw new ProvisionError('the Wi-Fi passphrase must have 8 to 63 characters (or be empty for an open network)');
  const stewardPassword = oneTimePassword();
  const parsed = configSchema.safeParse({
    hub: { name: a.name, place: a.place, timezone: a.timezone },
    currency: { name: a.currencyName, symbol: a.currencySymbol, minorUnits: a.minorUnits },
    timeBank: { enabled: a.timeBank },
    network: { ssid: a.ssid, passphrase: a.passphrase, channel: a.channel, country: a.country.toUpperCase() },
    lorawan: { region: a.region },
    // Phones probe port 80 for a captive portal, and DHCP option 114 names port 80:
    // the card's hub listens there (its unit grants CAP_NET_BIND_SERVICE).
    http: { port: 80 },
    // The card goes into a Raspberry Pi: johnny-five reaches its pins through raspi-io.
    gpio: { io: 'raspi-io' },
    firstSteward: { email: a.stewardEmail, passwordHash: await hash(stewardPassword, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 }) },
  });
  if (!parsed.success) {
    throw new ProvisionError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const config = parsed.data;
  const doc = { ...config, identity: { hubId: identity.hubId, publicKey: identity.publicKey } };
  return {
    config,
    identity,
    stewardPassword,
    files: { 'hyphae/hub.json': JSON.stringify(doc, null, 2) + '\n', 'hyphae/hub.key': identity.privateKeyPem },
  };
}
