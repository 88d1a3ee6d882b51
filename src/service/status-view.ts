// LabStatus for shells: the runtime's view of the containers joined with the lab's plan.
import type { LabPlan } from '../core/plan/types.js';
import { labTunnels } from '../core/plan/tunnels.js';
import type { LabStatusView } from '../runtime/lab/lab-runtime.js';
import type { ContainerStatus, LabStatus, PoolView } from './api.js';
import type { LabRecord } from './lab-record.js';
import { clientFileName } from './client-text.js';
import { ipv6OnlyLab } from '../core/model/ip-families.js';

export function poolViews(record: LabRecord): PoolView[] {
  return record.lab.ipPools.map((p) => ({
    name: p.name,
    cidr: p.spec.cidr,
    natOutgoing: p.spec.natOutgoing,
    disabled: p.spec.disabled,
    disableBGPExport: p.spec.disableBGPExport,
    blockSize: p.spec.blockSize,
    nodeSelector: p.spec.nodeSelector,
  }));
}

export function labStatus(
  view: LabStatusView | undefined,
  record: LabRecord | undefined,
  plan?: LabPlan,
): LabStatus {
  const name = view?.name ?? record?.name ?? '';
  const containers: ContainerStatus[] = (view?.containers ?? []).map((c) => ({
    name: c.name,
    role: c.role,
    state: c.state,
    addresses: c.addresses,
    ...(c.node ? { node: c.node } : {}),
    ...(c.bgp
      ? { bgp: c.bgp.map(({ peer, neighbor, state }) => ({ peer, neighbor, state })) }
      : {}),
  }));
  // Containers the plan wants but the engine lacks show as missing, so a killed one is visible.
  for (const c of plan?.containers ?? []) {
    if (!containers.some((x) => x.name === c.name)) {
      containers.push({ name: c.name, role: c.role, state: 'missing', addresses: [] });
    }
  }
  const lab = record?.lab;
  return {
    name,
    // The file's name only: a lab started from the CLI may have been given a host path.
    ...(record?.sources[0] ? { file: clientFileName(record.sources[0].file) } : {}),
    running: containers.length > 0 && containers.every((c) => c.state === 'running'),
    containers,
    pools: record ? poolViews(record) : [],
    pods: record
      ? record.ipam.assignments.map((a) => ({
          name: a.pod,
          node: a.node,
          address: a.address,
          pool: a.pool,
        }))
      : [],
    hosts: lab?.hosts.map((h) => ({ name: h.name, address: h.address })) ?? [],
    nodes: lab?.nodes.map((n) => ({ name: n.name, address: n.address })) ?? [],
    router: { name: lab?.router.name ?? '', address: lab?.router.address ?? '' },
    ...(lab?.firewall ? { firewall: { on: lab.firewall.on } } : {}),
    ...(plan ? { tunnels: labTunnels(plan) } : {}),
    ...(record ? { ipFamilies: podFamilies(record) } : {}),
  };
}

/** Which families pods have: IPv4 unless the lab is IPv6-only, IPv6 when some pod has an address. */
function podFamilies(record: LabRecord): (4 | 6)[] {
  const v6 = record.ipam.assignments.some((a) => a.ipv6);
  return ipv6OnlyLab(record.lab) ? [6] : v6 ? [4, 6] : [4];
}
