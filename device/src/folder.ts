import { mkdirSync } from 'node:fs';

/**
 * A folder that is made the first time it is asked for. Constructors only
 * keep what they are given, so a module can be built (in a test, or by a
 * command that never touches that folder) without writing to the disk.
 */
export function folderOnFirstUse(path: string, mode?: number): () => string {
  let made = false;
  return () => {
    if (!made) {
      mkdirSync(path, { recursive: true, mode });
      made = true;
    }
    return path;
  };
}
