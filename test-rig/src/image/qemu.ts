import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../wait.js';

/**
 * Boots Hyphae's SD-card image under QEMU, the way the image's boot test and
 * a developer at a laptop do: the card's own kernel and initramfs (read from
 * its FAT partition with mtools, no mounting), the root found by its label,
 * a host port forwarded to the hub's port 80, the serial console in a file.
 */

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the FAT boot partition starts on Hyphae's image (os-image/build.sh). */
export const BOOT_OFFSET = 4 * 1024 * 1024;

/** The newest image os-image/build.sh made, or HYPHAE_IMAGE. */
export function builtImage(): string | null {
  if (process.env.HYPHAE_IMAGE) return process.env.HYPHAE_IMAGE;
  const out = join(REPO, 'os-image', 'out');
  if (!existsSync(out)) return null;
  const images = readdirSync(out)
    .filter((f) => /^hyphae-.*-rpi-arm64\.img\.xz$/.test(f))
    .map((f) => join(out, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return images[0] ?? null;
}

/** Unpacks an .img.xz to a sparse raw file, then makes the "card" bigger than the image, as a real card is. */
export function unpackImage(xzPath: string, rawPath: string, cardBytes: number): void {
  execFileSync('sh', ['-c', 'xz -dc "$1" | cp --sparse=always /dev/stdin "$2"', 'unpack', xzPath, rawPath]);
  if (statSync(rawPath).size < cardBytes) execFileSync('truncate', ['-s', String(cardBytes), rawPath]);
}

/** Copies the card's kernel and initramfs out of its FAT partition (raspi-firmware put them there). */
export function bootFiles(card: string, into: string): { kernel: string; initrd: string; dtb: string | null } {
  const listing = execFileSync('mdir', ['-b', '-i', `${card}@@${BOOT_OFFSET}`, '::'], { encoding: 'utf8' });
  const names = listing
    .split('\n')
    .map((l) => l.trim().replace(/^::\/?/, ''))
    .filter(Boolean);
  const kernel = names
    .filter((n) => /^vmlinuz-/.test(n))
    .sort()
    .pop();
  const initrd = names
    .filter((n) => /^initrd\.img-/.test(n))
    .sort()
    .pop();
  if (!kernel || !initrd) throw new Error(`no kernel or initramfs on the card's boot partition: ${names.join(' ')}`);
  const dtb = 'bcm2837-rpi-3-b.dtb';
  for (const n of [kernel, initrd, ...(names.includes(dtb) ? [dtb] : [])])
    execFileSync('mcopy', ['-o', '-i', `${card}@@${BOOT_OFFSET}`, `::${n}`, join(into, n)]);
  return { kernel: join(into, kernel), initrd: join(into, initrd), dtb: names.includes(dtb) ? join(into, dtb) : null };
}

export interface BootOptions {
  card: string;
  kernel: string;
  initrd: string;
  /** 'virt' (default), or 'raspi3b': the Pi 3's own SoC model, the card as its SD card, the network over USB. */
  machine?: 'virt' | 'raspi3b';
  /** The board's device tree (raspi3b), from the card's boot partition. */
  dtb?: string;
  /** The serial console goes here. */
  serialLog: string;
  /** A free host port forwarded to the hub's port 80. */
  port: number;
  monitorSocket: string;
  smp?: number;
  memoryMiB?: number;
}

export class QemuBoard {
  readonly startedAt = Date.now();
  private exited: number | null = null;
  private constructor(
    private readonly proc: ChildProcess,
    readonly opts: BootOptions,
  ) {
    proc.on('exit', (code) => (this.exited = code ?? -1));
  }

  /** Powers on a `-M virt` board (cortex-a72) with the card attached as a virtio disk. */
  static powerOn(opts: BootOptions): QemuBoard {
    if (opts.machine === 'raspi3b') {
      // The real SD layout: the card is the SD card (QEMU wants a power-of-two size), the
      // network is QEMU's usb-net (usb0 on the board), the UART is the PL011.
      const pi = [
        '-M',
        'raspi3b',
        '-m',
        '1024',
        '-kernel',
        opts.kernel,
        '-initrd',
        opts.initrd,
        '-dtb',
        opts.dtb!,
        '-append',
        'root=LABEL=RASPIROOT rw rootwait console=ttyAMA0,115200 net.ifnames=0 dwc_otg.fiq_fsm_enable=0',
        '-drive',
        `file=${opts.card},format=raw,if=sd`,
        '-netdev',
        `user,id=net,hostfwd=tcp:127.0.0.1:${opts.port}-:80`,
        '-device',
        'usb-net,netdev=net',
        '-monitor',
        `unix:${opts.monitorSocket},server,nowait`,
        '-serial',
        `file:${opts.serialLog}`,
        '-display',
        'none',
        '-no-reboot',
      ];
      return new QemuBoard(spawn('qemu-system-aarch64', pi, { stdio: ['ignore', 'ignore', 'pipe'] }), opts);
    }
    const args = [
      '-M',
      'virt',
      '-cpu',
      'cortex-a72',
      '-smp',
      String(opts.smp ?? 2),
      '-m',
      String(opts.memoryMiB ?? 1024),
      '-kernel',
      opts.kernel,
      '-initrd',
      opts.initrd,
      // The card's cmdline.txt names the same root; the console is the virt board's UART.
      '-append',
      'root=LABEL=RASPIROOT rw rootwait console=ttyAMA0 net.ifnames=0',
      '-drive',
      `file=${opts.card},format=raw,if=none,id=card`,
      '-device',
      'virtio-blk-pci,drive=card',
      '-netdev',
      `user,id=net,hostfwd=tcp:127.0.0.1:${opts.port}-:80`,
      '-device',
      'virtio-net-pci,netdev=net',
      // A watchdog the hub's systemd can arm, as bcm2835-wdt on a Pi.
      '-device',
      'i6300esb',
      '-monitor',
      `unix:${opts.monitorSocket},server,nowait`,
      '-serial',
      `file:${opts.serialLog}`,
      '-display',
      'none',
      '-no-reboot',
    ];
    return new QemuBoard(spawn('qemu-system-aarch64', args, { stdio: ['ignore', 'ignore', 'pipe'] }), opts);
  }

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  get running(): boolean {
    return this.exited === null;
  }

  serial(): string {
    return existsSync(this.opts.serialLog) ? readFileSync(this.opts.serialLog, 'utf8') : '';
  }

  /** Seconds from power-on until the hub's health answers 200. */
  async waitForHealth(timeoutMs: number): Promise<number> {
    await until(
      async () => {
        if (!this.running) throw new Error(`QEMU stopped before the hub answered:\n${this.serial().slice(-3000)}`);
        try {
          return (await fetch(`${this.url}/api/v1/health`, { signal: AbortSignal.timeout(5000) })).status === 200;
        } catch {
          return false;
        }
      },
      () => `the hub's health on the QEMU board; serial console ends:\n${this.serial().slice(-3000)}`,
      { timeoutMs, everyMs: 2000 },
    );
    return (Date.now() - this.startedAt) / 1000;
  }

  /** The line hyphae-boot-report prints when the boot has settled. */
  async bootReport(timeoutMs: number): Promise<Record<string, string>> {
    let line = '';
    await until(
      () => {
        line = /HYPHAE-BOOT-REPORT ([^\r\n]*)/.exec(this.serial())?.[1] ?? '';
        return line !== '';
      },
      () => `the boot report; serial console ends:\n${this.serial().slice(-3000)}`,
      { timeoutMs, everyMs: 1000 },
    );
    return Object.fromEntries(
      line
        .trim()
        .split(/\s+/)
        .map((kv) => kv.split('=') as [string, string]),
    );
  }

  /** One command to QEMU's monitor; the connection is closed by us, whatever QEMU does with it. */
  private async monitor(command: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const s = createConnection(this.opts.monitorSocket, () => {
        s.write(`${command}\n`);
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 500);
      });
      s.on('error', reject);
    });
  }

  /**
   * Presses the board's power button (systemd-logind shuts down cleanly), and
   * cuts the power if the board has not stopped in time. Says which happened.
   */
  async shutDown(timeoutMs = 120_000): Promise<'clean' | 'power cut'> {
    if (!this.running) return 'clean';
    await this.monitor('system_powerdown');
    try {
      await until(() => !this.running, 'the board to power off', { timeoutMs, everyMs: 500 });
      return 'clean';
    } catch {
      await this.kill();
      return 'power cut';
    }
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGKILL');
    await until(() => !this.running, 'QEMU to stop', { timeoutMs: 10_000 });
  }
}
