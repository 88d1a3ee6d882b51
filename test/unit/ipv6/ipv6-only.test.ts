// IPv6-only labs (spec.cni.assignIpv4: false, the CNI's ipam.assign_ipv4): pods get one IPv6
// address and nothing IPv4 (cni-plugin/pkg/ipamplugin/ipam_plugin.go asks IPAM for IPv6 only);
// no default IPv4 pool (node/pkg/lifecycle/startup/startup.go configureIPPools with
// CALICO_IPV4POOL_CIDR=none); no IPv4 BGP for nodes (IP=none); what the lab cannot do for IPv6
// refused at its position.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { appliedLab } from '../../../src/core/changes/lab-changes.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { loadSources } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig, renderContainer } from '../../../src/core/plan/render-container.js';
import { labStatus } from '../../../src/service/status-view.js';
import { podInfo, resolveTarget } from '../../../src/service/live/targets.js';

const FILE = 'lab-templates/ipv6-only.yaml';
const TEXT = readFileSync(FILE, 'utf8');
const load = (text: string) => loadSources([{ file: 'lab.yaml', text }]);
const problems = (text: string) =>
  load(text).problems.map(
    (p) => `${p.position?.line}:${p.position?.col} ${p.kind}(${p.name}) ${p.field}: ${p.message}`,
  );

const SMALL = (extra = '', spec = '') => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: v6o}
spec:
  fabric: {ipv6Cidr: 2001:db8:30::/64}
  cni: {assignIpv4: false}
  nodes: [{name: node-1}, {name: node-2}]
  pods: [{name: a, node: node-1}, {name: b, node: node-2}]
  hosts: [{name: internet, address: 203.0.113.10/24, ipv6Address: 2001:db8:113::10}]
${spec}${extra}`;

describe('the ipv6-only template', () => {
  const lab = loadLab([{ file: FILE, text: TEXT }]);
  const plan = planLab(lab);

  test('pods get only an IPv6 address, from the pool their annotation names', () => {
    const byPod = new Map(plan.ipam.assignments.map((a) => [a.pod, a]));
    expect(byPod.get('web-nat')!.ipv6!.block).toBe('fd00:20::/122');
    expect(byPod.get('web-public')!.ipv6!.block).toBe('2001:db8:100::/122');
    expect(plan.ipam.blocks).toEqual([]);
    expect(plan.ipam.tunnels).toBeUndefined();
    const pod = plan.containers.find((c) => c.name === 'web-nat')!;
    const eth0 = pod.interfaces.find((i) => i.ifname === 'eth0')!;
    expect(eth0.addresses).toEqual([`${byPod.get('web-nat')!.ipv6!.address}/128`]);
    expect(pod.routes).toEqual([{ dst: '::/0', via: 'fe80::ecee:eeff:feee:eeee', dev: 'eth0' }]);
  });

  test('nodes route their pods over IPv6 only, with no proxy ARP', () => {
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const a = plan.ipam.assignments.find((x) => x.pod === 'web-nat')!;
    const routes = node.dataplane!.routes.map((r) => r.dst);
    expect(routes).toContain(`${a.ipv6!.address}/128`);
    expect(routes.filter((d) => d.endsWith('/32'))).toEqual([]);
    const veth = node.interfaces.find((i) => i.ifname === a.hostIfname)!;
    expect(veth.proxyArp).toBeUndefined();
    expect(Object.keys(veth.sysctls ?? {}).some((k) => k.startsWith('net.ipv4.'))).toBe(false);
    expect(veth.sysctls?.[`net.ipv6.conf.${a.hostIfname}.proxy_ndp`]).toBe('1');
  });

  test('no IPv4 pool, so Felix masquerades IPv6 only; BIRD has no IPv4 peer, bird6 the router', () => {
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const r = renderContainer(node);
    expect(r.ipsetRestore ?? '').not.toMatch(/^add cali40\S+ /m);
    expect(r.iptablesSave ?? '').not.toContain('MASQUERADE');
    expect(r.ip6tablesSave).toContain('MASQUERADE');
    expect(r.ipsetRestore ?? '').toContain('fd00:20::/48');
    expect(node.dataplane!.bird.peers).toEqual([]);
    expect(node.dataplane!.bird.ipv6!.peers.map((p) => p.neighbor)).toContain('2001:db8:30::1');
    const bird = renderBirdConfig(node)!;
    expect(bird).not.toMatch(/neighbor 172\.30\.0\./);
    const router = plan.containers.find((c) => c.role === 'router')!;
    expect(router.routerBgp!.sessions).toEqual([]);
    expect(router.routerBgp!.ipv6!.sessions.map((s) => s.node).sort()).toEqual([
      'node-1',
      'node-2',
    ]);
  });

  test('explain runs over IPv6 without asking, and says no IPv4 when asked for it', () => {
    const nat = explain(plan, 'web-nat', 'internet');
    expect(nat.seenSource).toBe('2001:db8:30::11');
    const pub = explain(plan, 'web-public', 'internet');
    expect(pub.seenSource).toBe(
      plan.ipam.assignments.find((a) => a.pod === 'web-public')!.ipv6!.address,
    );
    expect(() => explain(plan, 'web-nat', 'internet', { ipVersion: 4 })).toThrow(
      'is IPv6-only (spec.cni.assignIpv4: false): pods have no IPv4 address',
    );
  });
});

describe('the service on an IPv6-only lab', () => {
  const lab = loadLab([{ file: FILE, text: TEXT }]);
  const record = { name: 'v6o', lab, ipam: planLab(lab).ipam, sources: [] };
  const dual = loadLab([
    { file: 'nat66.yaml', text: readFileSync('lab-templates/nat66-toggle.yaml', 'utf8') },
  ]);
  const dualRecord = { name: 'd', lab: dual, ipam: planLab(dual).ipam, sources: [] };

  test('a name means its IPv6 address (traffic, ping, check), unless IPv4 is asked for', () => {
    expect(resolveTarget(record, 'internet').address).toBe('2001:db8:113::10');
    expect(resolveTarget(record, 'web-public').address).toBe(
      record.ipam.assignments.find((a) => a.pod === 'web-public')!.ipv6!.address,
    );
    expect(podInfo(record, 'web-nat').address).toContain(':');
    // A dual-stack lab keeps IPv4 for names, IPv6 when asked (the UI's selector, traffic --ipv6).
    expect(resolveTarget(dualRecord, 'internet').address).toBe('203.0.113.10');
    expect(resolveTarget(dualRecord, 'internet', 6).address).toBe('2001:db8:113::10');
  });

  test('the status says which families pods have', () => {
    expect(labStatus(undefined, record).ipFamilies).toEqual([6]);
    expect(labStatus(undefined, dualRecord).ipFamilies).toEqual([4, 6]);
  });
});

describe('IPv6-only lab files', () => {
  test('no IPPool: only calico-node default IPv6 pool, no default IPv4 pool', () => {
    const r = load(SMALL());
    expect(r.problems).toEqual([]);
    expect(r.lab!.ipPools.map((p) => p.name)).toEqual(['default-ipv6-ippool']);
    const plan = planLab(r.lab!);
    expect(plan.ipam.assignments.every((a) => a.ipv6 && a.address === a.ipv6.address)).toBe(true);
  });

  test('pods keep their IPv6 address when the plan is made again (pinned)', () => {
    const lab = load(SMALL()).lab!;
    const first = planLab(lab);
    const again = planLab(lab, { pinnedIpam: first.ipam });
    expect(again.ipam.assignments).toEqual(first.ipam.assignments);
  });

  test('what cannot work is refused at its position', () => {
    const noFabric6 = SMALL()
      .replace('  fabric: {ipv6Cidr: 2001:db8:30::/64}\n', '')
      .replace(', ipv6Address: 2001:db8:113::10', '');
    expect(problems(noFabric6).join('\n')).toMatch(
      /^5:\d+ Lab\(v6o\) spec\.cni\.assignIpv4: assignIpv4: false leaves pods with IPv6 only, which needs an IPv6 lab/m,
    );
    const onlyV4Pool = SMALL(
      '---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: v4}\nspec: {cidr: 10.10.0.0/16, vxlanMode: Always}\n',
    );
    const text = problems(onlyV4Pool).join('\n');
    expect(text).toContain('assignIpv4: false needs an enabled IPv6 IPPool for workloads');
    expect(text).toContain(
      'IPPool(v4) spec.vxlanMode: vxlanMode Always is not modelled in an IPv6-only lab',
    );
    const v4Peer = SMALL(
      '---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: tor4}\nspec: {peerIP: 172.30.0.1, asNumber: 64512}\n',
    );
    expect(problems(v4Peer).join('\n')).toContain(
      'BGPPeer(tor4) spec.peerIP: peerIP 172.30.0.1 is IPv4, but in an IPv6-only lab (spec.cni.assignIpv4: false) the nodes have no IPv4 BGP address',
    );
    const withExpect = SMALL('', '  expect: [{from: a, to: internet}]\n');
    expect(problems(withExpect).join('\n')).toMatch(
      /Lab\(v6o\) spec\.expect\[0\]: pods of an IPv6-only lab .* add ipVersion: 6/,
    );
    const withServices = SMALL(
      '',
      '  services: [{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {selector: {app: web}, ports: [{port: 80}]}}]\n',
    );
    expect(problems(withServices).join('\n')).toContain(
      'spec.services: Services (kube-proxy for IPv6) is not modelled in an IPv6-only lab',
    );
    const withPolicy = SMALL(
      '---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny}\nspec: {selector: all(), types: [Egress]}\n',
    );
    expect(problems(withPolicy).join('\n')).toContain(
      'network policy is not modelled in an IPv6-only lab',
    );
  });

  test('apply on a running IPv6-only lab refuses the same resources, nothing changed', () => {
    const lab = loadLab([{ file: FILE, text: TEXT }]);
    const resources = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: v4-ipip}
spec: {cidr: 10.10.0.0/16, ipipMode: Always}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor4}
spec: {peerIP: 172.30.0.1, asNumber: 64500}
`;
    let message = '';
    try {
      appliedLab(lab, [{ file: 'more.yaml', text: resources }]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('IPPool(v4-ipip) spec.ipipMode: ipipMode Always is not modelled');
    expect(message).toContain('BGPPeer(tor4) spec.peerIP: peerIP 172.30.0.1 is IPv4');
    expect(lab.ipPools.map((p) => p.name)).toEqual(['ula-nat', 'public6']);
    const service = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;
    expect(() => appliedLab(lab, [{ file: 'svc.yaml', text: service }])).toThrow(
      'Services (web) are not modelled in an IPv6-only lab',
    );
    expect(lab.services).toBeUndefined();
  });
});
