import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { interact } from 'balena-image-fs';
import { getPartitions } from 'partitioninfo';
import { ProvisionError } from './hub-files.js';

/**
 * Writes files into the FAT boot partition of an SD-card image or a block
 * device, without mounting it. For an image file, the work happens on a
 * copy beside it that replaces the original only when every file is
 * written, so a failure half-way leaves the image as it was.
 */
export async function bootPartition(target: string): Promise<number> {
  let parts;
  try {
    parts = await getPartitions(target);
  } catch (e) {
    throw new ProvisionError(`${target} has no readable partition table: ${(e as Error).message}`);
  }
  // The boot partition is the first FAT one (MBR types 0x0b, 0x0c, 0x0e; or a GPT basic-data partition).
  const fat = parts.partitions.find((p) => (typeof p.type === 'number' ? [0x0b, 0x0c, 0x0e, 0x06].includes(p.type) : true));
  if (!fat) throw new ProvisionError(`${target} has no FAT boot partition`);
  return fat.index;
}

export async function writeFilesToImage(target: string, files: Record<string, string | Buffer>): Promise<void> {
  if (!existsSync(target)) throw new ProvisionError(`${target} does not exist`);
  const isFile = statSync(target).isFile();
  const work = isFile ? join(dirname(target), `.${basename(target)}.provisioning`) : target;
  if (isFile) copySparse(target, work);
  try {
    const partition = await bootPartition(work);
    await interact(work, partition, async (fs) => {
      const mkdir = promisify(fs.mkdir);
      const writeFile = promisify(fs.writeFile);
      const dirs = new Set(
        Object.keys(files)
          .map((p) => p.split('/').slice(0, -1).join('/'))
          .filter(Boolean),
      );
      for (const dir of dirs) {
        // The FAT driver says "File exists" without an EEXIST code.
        await mkdir(`/${dir}`).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' || /exist/i.test(e.message) ? undefined : Promise.reject(e)));
      }
      for (const [path, content] of Object.entries(files)) await writeFile(`/${path}`, content);
    });
    if (isFile) renameSync(work, target);
  } catch (e) {
    if (isFile) rmSync(work, { force: true });
    throw e instanceof ProvisionError ? e : new ProvisionError(`writing to ${target} failed, nothing was changed: ${(e as Error).message}`);
  }
}

export async function readFileFromImage(target: string, path: string): Promise<Buffer> {
  const partition = await bootPartition(target);
  return interact(target, partition, async (fs) => promisify(fs.readFile)(`/${path}`) as Promise<Buffer>);
}

/**
 * An image is mostly holes (zerofree'd free space): GNU cp keeps them, so a
 * 1.7 GB image with 900 MB of data stays 900 MB on disk and copies in
 * seconds. Elsewhere (no GNU cp), a plain copy.
 */
function copySparse(from: string, to: string): void {
  const cp = spawnSync('cp', ['--sparse=always', '--reflink=auto', from, to], { encoding: 'utf8' });
  if (cp.status !== 0) copyFileSync(from, to);
}
