import { fileURLToPath } from 'node:url';

/**
 * Device definitions live as data under drivers/definitions, one file per
 * vendor or device. A bundled hub ships them beside the bundle and says
 * where with HYPHAE_DEFINITIONS.
 */
export const DEFINITIONS_DIR = process.env.HYPHAE_DEFINITIONS ?? fileURLToPath(new URL('../../definitions/', import.meta.url));
