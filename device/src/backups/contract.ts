import { refuser, type Refusals } from '../errors.js';

/**
 * What backups (nightly and for linked hubs) refuses: each code with its HTTP status, problem type and
 * English title. Clients word a refusal from its code (the console in every
 * language it has); the detail says what was wrong this time.
 */
export const BACKUP_REFUSALS = {
  'backup-too-large': { status: 413, type: 'payload-too-large', title: 'Backup too large' },
  'no-backup-passphrase': { status: 409, type: 'conflict', title: 'No backup passphrase' },
  'upload-out-of-step': { status: 409, type: 'conflict', title: 'Upload out of step' },
} as const satisfies Refusals;

export const refuse = refuser(BACKUP_REFUSALS);
