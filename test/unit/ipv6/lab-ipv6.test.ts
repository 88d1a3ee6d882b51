// A dual-stack lab file end to end offline: IPv6 addressing of the fabric, IPAM's IPv6 blocks
// (libcalico-go/lib/ipam: /122 by default, the lowest free address), calico-node's default
// IPv6 pool (node/pkg/lifecycle/startup/startup.go), the CNI's pod side
// (cni-plugin/pkg/dataplane/linux/dataplane_linux.go), bird6's side, explain over IPv6, and bad
// input refused with positions.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { patchedLab } from '../../../src/core/changes/lab-changes.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { loadSources } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig } from '../../../src/core/plan/render-container.js';

const LAB = (extra = '', spec = '') => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: v6}
spec:
  fabric: {ipv6Cidr: 2001:db8:30::/64}
  nodes: [{name: node-1}, {name: node-2, ipv6Address: 2001:db8:30::20}]
  pods:
    - {name: a, node: node-1}
    - {name: b, node: node-1}
    - {name: c, node: node-2}
  hosts: [{name: internet, address: 203.0.113.10/24, ipv6Address: 2001:db8:113::10}]
${spec}${extra}`;

const load = (text: string) => loadSources([{ file: 'lab.yaml', text }]);
const template = (id: string) => {
  const file = `lab-templates/${id}.yaml`;
  return loadLab([{ file, text: readFileSync(file, 'utf8') }]);
};

describe('addresses and IPAM', () => {
  const r = load(LAB());
  const lab = r.lab!;
  const plan = planLab(lab);

  test('the router takes the first IPv6 address, nodes the next free ones, hosts /64', () => {
    expect(r.problems).toEqual([]);
    expect(lab.router.ipv6Address).toBe('2001:db8:30::1');
    expect(lab.nodes.map((n) => n.ipv6Address)).toEqual(['2001:db8:30::2', '2001:db8:30::20']);
    expect(lab.hosts[0]!.ipv6).toEqual({
      address: '2001:db8:113::10',
      prefixLength: 64,
      gateway: '2001:db8:113::1',
    });
  });

  test("calico-node's default pools: IPv4 NATed, IPv6 a ULA /48 with /122 blocks and no NAT", () => {
    expect(lab.ipPools.map((p) => [p.name, p.spec.natOutgoing, p.spec.blockSize])).toEqual([
      ['default-ipv4-ippool', true, 26],
      ['default-ipv6-ippool', false, 122],
    ]);
    const v6 = lab.ipPools[1]!.spec.cidr;
    expect(v6).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/48$/);
    expect(load(LAB()).lab!.ipPools[1]!.spec.cidr).toBe(v6); // the same on every load
  });

  test('each pod gets an IPv6 address from its node’s /122 block, lowest first', () => {
    const pool = lab.ipPools[1]!.spec.cidr.split('/')[0]!;
    const base = pool.replace(/::$/, '::');
    const got = plan.ipam.assignments.map((a) => [a.pod, a.ipv6?.block, a.ipv6?.address]);
    expect(got).toEqual([
      ['a', `${base}/122`, base],
      ['b', `${base}/122`, `${base}1`],
      ['c', `${base}40/122`, `${base}40`],
    ]);
    expect(plan.ipam.blocks6!.map((b) => b.node)).toEqual(['node-1', 'node-2']);
  });

  test('a re-plan keeps the pods’ IPv6 addresses (pinned IPAM)', () => {
    const again = planLab(lab, { pinnedIpam: plan.ipam });
    expect(again.ipam.assignments.map((a) => a.ipv6)).toEqual(
      plan.ipam.assignments.map((a) => a.ipv6),
    );
  });

  test('the CNI’s pod side: /128, DAD off, default route via fe80::ecee:eeff:feee:eeee', () => {
    const pod = plan.containers.find((c) => c.name === 'a')!;
    const a = plan.ipam.assignments[0]!;
    expect(pod.interfaces[0]!.addresses).toEqual([`${a.address}/32`, `${a.ipv6!.address}/128`]);
    expect(pod.interfaces[0]!.sysctls).toMatchObject({ 'net.ipv6.conf.eth0.accept_dad': '0' });
    expect(pod.routes).toContainEqual({
      dst: '::/0',
      via: 'fe80::ecee:eeff:feee:eeee',
      dev: 'eth0',
    });
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const veth = node.interfaces.find((i) => i.ifname === a.hostIfname)!;
    expect(veth.sysctls).toMatchObject({
      [`net.ipv6.conf.${a.hostIfname}.proxy_ndp`]: '1',
      [`net.ipv6.conf.${a.hostIfname}.accept_dad`]: '0',
      [`net.ipv6.conf.${a.hostIfname}.forwarding`]: '1',
    });
    expect(node.routes).toContainEqual({
      dst: `${a.ipv6!.address}/128`,
      dev: a.hostIfname,
      scope: 'link',
    });
    expect(node.routes).toContainEqual({ dst: '::/0', via: '2001:db8:30::1', dev: 'eth0' });
  });

  test('the ipv6pools annotation picks the IPv6 pool', () => {
    const text = LAB(
      `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: v4}
spec: {cidr: 10.10.0.0/16}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: first}
spec: {cidr: fd00:1::/48}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: second}
spec: {cidr: fd00:2::/48, blockSize: 120}
`,
    ).replace(
      '- {name: c, node: node-2}',
      `- {name: c, node: node-2, annotations: {cni.projectcalico.org/ipv6pools: '["second"]'}}`,
    );
    const p = planLab(load(text).lab!);
    expect(p.ipam.assignments.map((a) => a.ipv6?.block)).toEqual([
      'fd00:1::/122',
      'fd00:1::/122',
      'fd00:2::/120',
    ]);
  });
});

describe("bird6's side", () => {
  test('the IPv6 blocks are blackholed and exported; IPv6 sessions mesh and to the router', () => {
    const plan = planLab(template('ipv6-public-pods-bgp'));
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const conf = renderBirdConfig(node)!;
    expect(conf).toContain('protocol static static6 {\n  ipv6;');
    expect(conf).toContain('  route 2001:db8:100::/122 blackhole;');
    expect(conf).toContain('  if ( net ~ 2001:db8:100::/48 ) then { accept; }');
    expect(conf).toContain('protocol bgp Mesh_2001_db8_30__12 from bgp_template6 {');
    expect(conf).toContain('protocol bgp Global_2001_db8_30__1 from bgp_template6 {');
    // The IPv4 side has no IPv6 peer.
    const v4Part = conf.split('# ============= IPv6')[0]!;
    expect(v4Part).not.toContain('2001:db8');
    const router = renderBirdConfig(plan.containers.find((c) => c.role === 'router')!)!;
    expect(router).toContain('protocol bgp Node_2001_db8_30__11 from node_template6 {');
  });

  test.skipIf(!existsSync('/usr/sbin/bird'))('BIRD 2 parses the dual-stack configs', () => {
    const plan = planLab(template('ipv6-public-pods-bgp'));
    const dir = mkdtempSync(join(tmpdir(), 'egl-bird6-'));
    try {
      for (const c of plan.containers.filter((x) => x.role !== 'pod' && x.role !== 'host')) {
        const f = join(dir, `${c.name}.conf`);
        writeFileSync(f, renderBirdConfig(c)!);
        execFileSync('/usr/sbin/bird', ['-p', '-c', f], { stdio: 'pipe' });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('explain over IPv6', () => {
  test('NAT66 on: the node’s IPv6 address by ip6tables’ rule; off: the pod’s, no way back', () => {
    const lab = template('nat66-toggle');
    const on = explain(planLab(lab), 'web-1', 'internet', { ipVersion: 6 });
    expect(on.ipVersion).toBe(6);
    expect(on.seenAs).toBe('node');
    expect(on.seenSource).toBe('2001:db8:30::11');
    expect(on.nat.action === 'masquerade' && on.nat.rule.text).toMatch(/^ip6tables: .*cali60masq/);
    expect(on.reply).toBe(true);
    const next = patchedLab(lab, 'ula-pool', { spec: { natOutgoing: false } });
    const off = explain(planLab(next), 'web-1', '2001:db8:113::10');
    expect(off.seenAs).toBe('pod');
    expect(off.reply).toBe(false);
    expect(off.routeBack.reason).toContain("no BGPPeer makes node-1 peer with the router's IPv6");
  });
});

describe('bad input', () => {
  const problems = (text: string) => load(text).problems.map((p) => p.message);
  const warnings = (text: string) => load(text).warnings.map((p) => p.message);
  const v6pool = (spec: string) =>
    `---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p6}\nspec: {${spec}}\n`;

  test("IPv6 block sizes outside 116-128 and IPIP on IPv6: Calico's messages, positioned", () => {
    const r = load(LAB(v6pool('cidr: fd00:1::/48, blockSize: 112')));
    expect(r.problems.map((p) => p.message).join('\n')).toContain(
      'IPv6 block size must be between 116 and 128',
    );
    expect(r.problems[0]!.position?.line).toBeGreaterThan(1);
    expect(problems(LAB(v6pool('cidr: fd00:1::/48, ipipMode: Always'))).join('\n')).toContain(
      'IPIP is not supported on an IPv6 IP pool',
    );
  });

  test('natOutgoingAddress with a NAT66 pool warns that it is IPv4 only', () => {
    const w = warnings(
      LAB(
        `${v6pool('cidr: fd00:1::/48, natOutgoing: true')}---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {natOutgoingAddress: 172.30.0.50}\n`,
      ),
    );
    expect(w.join('\n')).toContain('natOutgoingAddress is IPv4 only');
  });

  test('mixed-family mistakes', () => {
    const noFabric = LAB().replace('  fabric: {ipv6Cidr: 2001:db8:30::/64}\n', '');
    expect(problems(noFabric).join('\n')).toContain(
      'node node-2 ipv6Address needs an IPv6 fabric: set spec.fabric.ipv6Cidr',
    );
    expect(
      problems(LAB().replace('ipv6Cidr: 2001:db8:30::/64', 'ipv6Cidr: 172.31.0.0/24')),
    ).toContain(
      'fabric.ipv6Cidr must be an IPv6 CIDR like "2001:db8:30::/64", got "172.31.0.0/24"',
    );
    expect(
      problems(LAB().replace('ipv6Address: 2001:db8:30::20', 'ipv6Address: 172.30.0.20')),
    ).toContain('expected an IPv6 address like "2001:db8:30::11", got "172.30.0.20"');
    expect(problems(LAB(v6pool('cidr: 2001:db8:30::/60'))).join('\n')).toContain(
      "overlaps the lab's IPv6 fabric 2001:db8:30::/64",
    );
    expect(
      problems(
        LAB(
          '',
          '  expect: [{from: a, to: 203.0.113.10, ipVersion: 6, seenAs: pod, reply: true}]\n',
        ),
      ),
    ).toContain('to: "203.0.113.10" is neither a pod, a host of this lab nor an IPv6 address');
    expect(
      problems(
        LAB(
          '---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: x}\nspec: {peerIP: 2001:db8:30::99, asNumber: 64500}\n',
        ),
      ).join('\n'),
    ).toContain("peerIP 2001:db8:30::99 is neither the router's IPv6 address (2001:db8:30::1)");
    // An IPv6 pool in an IPv4 lab: accepted, with a warning that it is not modelled.
    const v4only = LAB(v6pool('cidr: fd00:1::/48'))
      .replace('  fabric: {ipv6Cidr: 2001:db8:30::/64}\n', '')
      .replace(', ipv6Address: 2001:db8:30::20', '')
      .replace(', ipv6Address: 2001:db8:113::10', '');
    expect(problems(v4only).join('\n')).toContain(
      'for IPv6-only pods set spec.cni.assignIpv4: false',
    );
    const withV4 = `${v4only}---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: v4}\nspec: {cidr: 10.10.0.0/16}\n`;
    expect(problems(withV4)).toEqual([]);
    expect(warnings(withV4).join('\n')).toContain('is an IPv6 pool but the lab runs IPv4 only');
  });
});
