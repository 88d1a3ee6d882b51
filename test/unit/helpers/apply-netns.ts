// Runs the product's apply script (src/runtime/agent/apply.sh, as the runtime sends it) in a
// network namespace, the way a lab container runs it: the tar of apply-input.ts on stdin.
// `ip netns exec` gives each run its own mount namespace; there the script's state
// directories (/run, hence /run/egress-lab and /run/bird, and /etc/bird) are bind mounts of
// directories under `root`, so nothing of the machine's own is read or written and the state
// carries over from one run to the next, as in a container.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPLY_SCRIPT } from '../../../src/runtime/agent/apply-input.js';
import { buildTar, type TarFile } from '../../../src/runtime/engine/tar.js';

export interface ApplyRun {
  status: number;
  stdout: string;
  stderr: string;
}

const WRAP = String.raw`R=$1 S=$2
mount --bind "$R/run" /run || exit 90
if [ -d /etc/bird ]; then mount --bind "$R/etc-bird" /etc/bird || exit 91; fi
exec sh -c "$S" egress-lab-apply`;

/** `input`: the files of the tar, or the raw bytes to send instead. */
export function runApply(ns: string, root: string, input: TarFile[] | Buffer): ApplyRun {
  mkdirSync(join(root, 'run'), { recursive: true });
  mkdirSync(join(root, 'etc-bird'), { recursive: true });
  const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', WRAP, 'wrap', root, APPLY_SCRIPT], {
    input: Buffer.isBuffer(input) ? input : buildTar(input),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Whether BIRD can run under runApply: the daemon, and /etc/bird to mount over. */
export function birdAvailable(): boolean {
  return ['/usr/sbin/bird', '/usr/sbin/birdc', '/etc/bird'].every(existsSync);
}

/** PIDs of the daemons the script started under `root` (BIRD, echo servers), for cleanup. */
export function startedPids(root: string): number[] {
  const pids: number[] = [];
  const read = (f: string): void => {
    if (existsSync(f)) pids.push(Number(readFileSync(f, 'utf8').trim()));
  };
  read(join(root, 'run/bird/bird.pid'));
  const d = join(root, 'run/egress-lab');
  if (existsSync(d)) for (const f of readdirSync(d)) if (/^svc-.*\.pid$/.test(f)) read(join(d, f));
  return pids.filter((p) => Number.isInteger(p) && p > 1);
}
