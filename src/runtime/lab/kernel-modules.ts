// The kernel modules a lab's tunnels need (ipip for IPIP, wireguard for WireGuard), checked on
// the engine's kernel before `up` creates anything: a short-lived container of the lab image
// (no network, NET_ADMIN) tries `ip link add` of each kind in its own namespace, as Felix
// would on a node. VXLAN is not checked: every kernel the lab runs on has it, and a missing
// one fails the apply with the kernel's own words. The answer is kept per engine connection.
import type Dockerode from 'dockerode';
import type { ContainerPlan } from '../../core/plan/types.js';
import { withEngineDeadline } from '../engine/deadline.js';
import { HELPER_ROLE, LABEL_LAB, LABEL_NAME, LABEL_ROLE } from './labels.js';

export type TunnelModule = 'ipip' | 'wireguard';

export interface KernelModules {
  kernel: string; // uname -r
  missing: TunnelModule[];
}

/** The modules the plan's nodes need: IPIP's tunl0, WireGuard's device. */
export function modulesNeeded(plan: { containers: readonly ContainerPlan[] }): TunnelModule[] {
  const need = new Set<TunnelModule>();
  for (const c of plan.containers) {
    if (c.dataplane?.encap?.ipip) need.add('ipip');
    if (c.dataplane?.encap?.wireguard) need.add('wireguard');
  }
  return [...need].sort();
}

// Constant: names only, no value from a plan. Prints the kernel, then "ok"/"missing" per kind.
const PROBE = [
  'uname -r',
  'for k in ipip wireguard; do',
  '  if ip link add name "egl-$k" type "$k" >/dev/null 2>&1; then echo "$k ok"; else echo "$k missing"; fi',
  'done',
].join('\n');

const cache = new WeakMap<Dockerode, Promise<KernelModules>>();

async function probe(docker: Dockerode, image: string, lab: string): Promise<KernelModules> {
  const name = `${lab}-kernel-probe-${process.pid}-${Date.now().toString(36)}`;
  const container = await withEngineDeadline(
    'the creation of the kernel probe',
    docker.createContainer({
      name,
      Image: image,
      Cmd: ['sh', '-c', PROBE],
      Tty: true, // plain output, no stream framing
      Labels: { [LABEL_LAB]: lab, [LABEL_ROLE]: HELPER_ROLE, [LABEL_NAME]: 'kernel-probe' },
      HostConfig: { NetworkMode: 'none', CapAdd: ['NET_ADMIN'], AutoRemove: false },
    }),
  );
  try {
    await withEngineDeadline(
      'the start of the kernel probe',
      container.start() as Promise<unknown>,
    );
    await withEngineDeadline('the kernel probe', container.wait() as Promise<unknown>);
    const out = String(
      await withEngineDeadline(
        'the kernel probe output',
        container.logs({ stdout: true, stderr: true }) as Promise<Buffer>,
      ),
    );
    return parseProbe(out);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

export function parseProbe(out: string): KernelModules {
  const lines = out.split(/\r?\n/).map((l) => l.trim());
  const missing = lines
    .map((l) => /^(ipip|wireguard) missing$/.exec(l)?.[1])
    .filter((m): m is TunnelModule => m !== undefined);
  return { kernel: lines[0] ?? 'unknown', missing };
}

export class MissingKernelModuleError extends Error {
  constructor(
    readonly lab: string,
    readonly modules: TunnelModule[],
    readonly kernel: string,
  ) {
    const what = modules
      .map((m) => (m === 'ipip' ? 'ipip (IPIP pools: tunl0)' : 'wireguard (wireguardEnabled)'))
      .join(' and ');
    super(
      `lab ${lab} needs the kernel module ${what}, which the engine's kernel ${kernel} does not have ` +
        `(\`ip link add … type ${modules[0]}\` fails there); nothing was created or changed. ` +
        'Without it `validate`, `rules` and `explain` still work for this lab; to run it, use a ' +
        'kernel with the module (most Linux distributions and Docker Desktop have it: ' +
        `\`modprobe ${modules[0]}\` on the engine's machine) or set the pools' mode to VXLAN.`,
    );
    this.name = 'MissingKernelModuleError';
  }
}

/** Throws MissingKernelModuleError when the plan needs a module the engine's kernel lacks. */
export async function checkKernelModules(
  docker: Dockerode,
  image: string,
  plan: { containers: readonly ContainerPlan[] },
  lab: string,
): Promise<void> {
  const need = modulesNeeded(plan);
  if (!need.length) return;
  let answer = cache.get(docker);
  if (!answer) {
    answer = probe(docker, image, lab);
    cache.set(docker, answer);
    answer.catch(() => cache.delete(docker));
  }
  const { kernel, missing } = await answer;
  const lacking = need.filter((m) => missing.includes(m));
  if (lacking.length) throw new MissingKernelModuleError(lab, lacking, kernel);
}
