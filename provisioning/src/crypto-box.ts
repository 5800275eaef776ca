import { HubError, openBackup, sealBackup } from '@hyphae/device';
import { ProvisionError } from './hub-files.js';

/** The hub's backup sealing (one format for the API and this tool), with the tool's own error type. */
export function seal(plain: Buffer, passphrase: string): string {
  return JSON.stringify(asProvisionError(() => sealBackup(plain, passphrase)));
}

export function open(sealed: string, passphrase: string): Buffer {
  return asProvisionError(() => openBackup(sealed, passphrase));
}

function asProvisionError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HubError) throw new ProvisionError(e.detail ?? e.message);
    throw e;
  }
}
