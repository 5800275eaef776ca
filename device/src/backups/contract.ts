import { refusals, refuser } from '../errors.js';

/** What backups (nightly and for linked hubs) refuses, by problem type (`refusals` in errors.ts gives each code its status and English title). */
export const BACKUP_REFUSALS = refusals({
  conflict: ['no-backup-passphrase', 'upload-out-of-step'],
  'payload-too-large': ['backup-too-large'],
});

export const refuse = refuser(BACKUP_REFUSALS);
