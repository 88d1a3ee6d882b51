// Encapsulation as Calico v3.30 programs it, rendered offline: IPAM's tunnel addresses,
// vxlan.calico and its routes/ARP/FDB (felix/dataplane/linux/vxlan_mgr.go), tunl0 and BIRD's
// kernel filter (confd bird_ipam.cfg.template), the tunnel MASQUERADE rules of cali-POSTROUTING
// (felix/rules/static.go) with their cali: hashes, MTUs (int_dataplane.go), racks.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadLab, loadSources } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import { renderEncap } from '../../../src/core/dataplane/render-encap.js';
import { renderNftRuleset } from '../../../src/core/dataplane/render-nft.js';
import { masqPortRangeExcluding } from '../../../src/core/dataplane/felix-tunnels.js';
import { vtepMac } from '../../../src/core/plan/encap.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { twoRacksLab } from '../helpers/racks.js';

const RACKS = twoRacksLab(
  'enc-racks',
  '  hosts:\n    - {name: internet, address: 203.0.113.10/24}\n',
);

const pool = (extra: string) => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-a}
spec:
  cidr: 192.168.0.0/16
  natOutgoing: true
${extra}`;

function plan(text: string): LabPlan {
  return planLab(loadLab([{ file: 'lab.yaml', text }]));
}
const node = (p: LabPlan, n: string) => p.containers.find((c) => c.name === n)!;
const saveLines = (p: LabPlan, n: string) =>
  renderContainer(node(p, n))
    .iptablesSave!.split('\n')
    .filter((l) => l.startsWith('-A'));

describe('racks', () => {
  const p = plan(RACKS + pool('  vxlanMode: CrossSubnet\n'));

  it('nodes take addresses from their rack; the router has one bridge per rack', () => {
    expect(p.lab.nodes.map((n) => [n.name, n.rack, n.address])).toEqual([
      ['node-a1', 'rack-a', '172.30.1.2'],
      ['node-a2', 'rack-a', '172.30.1.3'],
      ['node-b1', 'rack-b', '172.30.2.2'],
    ]);
    const tor = node(p, 'tor');
    expect(tor.bridges).toEqual([{ name: 'br0' }, { name: 'br1' }]);
    expect(tor.interfaces.slice(0, 2)).toEqual([
      { ifname: 'br0', addresses: ['172.30.1.1/24'] },
      { ifname: 'br1', addresses: ['172.30.2.1/24'] },
    ]);
    const port = (n: string) => tor.interfaces.find((i) => i.ifname === `f-${n}`)!.master;
    expect([port('node-a1'), port('node-a2'), port('node-b1')]).toEqual(['br0', 'br0', 'br1']);
    expect(node(p, 'node-b1').routes[0]).toEqual({
      dst: 'default',
      via: '172.30.2.1',
      dev: 'eth0',
    });
    expect(node(p, 'node-b1').interfaces[0]!.addresses).toEqual(['172.30.2.2/24']);
  });

  it('a lab without racks plans as before: no encap, no tunnels, br0 only', () => {
    const q = plan(
      RACKS.replace(/ {2}fabric:\n(?: {4,}.*\n)+/, '').replace(/, rack: rack-[ab]/g, ''),
    );
    expect(q.ipam.tunnels).toBeUndefined();
    expect(q.containers.some((c) => c.dataplane?.encap)).toBe(false);
    expect(node(q, 'tor').bridges).toEqual([{ name: 'br0' }]);
  });
});

describe('IPAM: the tunnel address first in the node block (allocateip.go)', () => {
  const p = plan(RACKS + pool('  vxlanMode: Always\n'));
  it('each node has a VXLAN tunnel address, the first ordinal of its block; its pods follow', () => {
    for (const n of p.lab.nodes) {
      const t = p.ipam.tunnels!.find((x) => x.node === n.name && x.kind === 'vxlan')!;
      const base = t.block.split('/')[0];
      expect(t.address).toBe(base);
      const pods = p.ipam.assignments.filter((a) => a.node === n.name);
      const next = base!.split('.').map(Number);
      next[3] = next[3]! + 1;
      expect(pods[0]!.address).toBe(next.join('.'));
      expect(pods[0]!.block).toBe(t.block);
    }
  });
  it('no tunnel address from a disabled pool or one without the Tunnel use', () => {
    const q = plan(RACKS + pool('  vxlanMode: Always\n  allowedUses: [Workload]\n'));
    expect(q.ipam.tunnels).toBeUndefined();
  });
});

describe('VXLAN CrossSubnet across two racks (vxlan_mgr.go)', () => {
  const p = plan(RACKS + pool('  vxlanMode: CrossSubnet\n'));
  const tunnel = (n: string) => p.ipam.tunnels!.find((t) => t.node === n)!.address;
  const block = (n: string) => p.ipam.blocks.find((b) => b.node === n)!.cidr;
  const dp = node(p, 'node-a1').dataplane!;

  it('vxlan.calico: VNI 4096, port 4789, MTU 1450, Felix MAC, tunnel address', () => {
    const sha = createHash('sha1').update('node-a1').digest();
    const mac = ['66', ...[...sha.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))];
    expect(vtepMac('node-a1')).toBe(mac.join(':'));
    expect(dp.encap!.vxlan).toEqual({
      name: 'vxlan.calico',
      vni: 4096,
      port: 4789,
      mtu: 1450,
      mac: mac.join(':'),
      address: tunnel('node-a1'),
      parent: 'eth0',
      local: '172.30.1.2',
    });
    expect(dp.encap!.podMtu).toBe(1450);
  });

  it('same rack: native route via the node; other rack: via its VTEP, onlink', () => {
    expect(dp.routes).toContainEqual({ dst: block('node-a2'), via: '172.30.1.3', dev: 'eth0' });
    expect(dp.routes.some((r) => r.dst === block('node-b1'))).toBe(false);
    expect(dp.encap!.routes).toEqual([
      { dst: block('node-b1'), via: tunnel('node-b1'), dev: 'vxlan.calico' },
    ]);
  });

  it('renders the device, address, ARP and FDB entries of every remote VTEP', () => {
    const r = renderEncap(dp.encap!);
    expect(r.devices).toBe(
      `link add name vxlan.calico index 65537 address ${vtepMac('node-a1')} mtu 1450 type vxlan id 4096 local 172.30.1.2 dstport 4789 nolearning\n`,
    );
    expect(r.ipBatch.split('\n').filter(Boolean)).toEqual([
      'link set dev vxlan.calico mtu 1450 up',
      `addr replace ${tunnel('node-a1')}/32 dev vxlan.calico`,
      `neigh replace ${tunnel('node-a2')} lladdr ${vtepMac('node-a2')} dev vxlan.calico nud permanent`,
      `neigh replace ${tunnel('node-b1')} lladdr ${vtepMac('node-b1')} dev vxlan.calico nud permanent`,
      `route replace ${block('node-b1')} via ${tunnel('node-b1')} dev vxlan.calico onlink`,
    ]);
    expect(r.fdbBatch.split('\n').filter(Boolean)).toEqual([
      `fdb replace ${vtepMac('node-a2')} dev vxlan.calico dst 172.30.1.3 self permanent`,
      `fdb replace ${vtepMac('node-b1')} dev vxlan.calico dst 172.30.2.2 self permanent`,
    ]);
  });

  it('pod veths get the pod MTU on both ends', () => {
    const a = p.ipam.assignments.find((x) => x.pod === 'pod-a1')!;
    expect(node(p, 'pod-a1').interfaces[0]!.mtu).toBe(1450);
    expect(node(p, 'node-a1').interfaces.find((i) => i.ifname === a.hostIfname)!.mtu).toBe(1450);
  });

  it('cali-POSTROUTING gains the vxlan.calico MASQUERADE rule with Felix hash', () => {
    expect(saveLines(p, 'node-a1')).toContain(
      '-A cali-POSTROUTING -o vxlan.calico -m comment --comment "cali:e9dnSgSVNmIcpVhP" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully',
    );
    expect(renderContainer(node(p, 'node-a1')).iptablesNat).toContain(
      '-A cali-POSTROUTING -m comment --comment "cali:e9dnSgSVNmIcpVhP" --out-interface vxlan.calico -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL --jump MASQUERADE --random-fully\n',
    );
  });

  it('the all-vxlan-net ipset holds the remote VTEPs’ node addresses', () => {
    expect(dp.ipsets.find((s) => s.name === 'cali40all-vxlan-net')!.members).toEqual([
      '172.30.1.3/32',
      '172.30.2.2/32',
    ]);
  });

  it("BIRD's kernel filter rejects the VXLAN pool; tunnel routes are not exported", () => {
    const bird = renderContainer(node(p, 'node-a1')).birdConfig!;
    expect(bird).toContain(
      "  if ( net ~ 192.168.0.0/16 ) then {\n    # Don't program VXLAN routes into the kernel - these are handled by Felix.\n    reject;\n  }\n",
    );
    expect(bird).toContain('  reject_tunnel_routes();\n');
  });

  it('nftables mode renders the rule in Felix nft words', () => {
    const q = plan(
      RACKS +
        pool('  vxlanMode: Always\n') +
        '---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {nftablesMode: Enabled}\n',
    );
    expect(renderNftRuleset(node(q, 'node-a1').dataplane!)).toMatch(
      /oifname vxlan\.calico fib saddr \. oif type != local fib saddr type local counter masquerade fully-random comment "cali:[A-Za-z0-9_-]{16};"/,
    );
  });
});

describe('VXLAN settings and versions', () => {
  const felix = (spec: string) =>
    `---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: ${spec}\n`;
  it('vxlanVNI, vxlanPort and vxlanMTU are honoured; the pod MTU follows vxlanMTU', () => {
    const p = plan(
      RACKS +
        pool('  vxlanMode: Always\n') +
        felix('{vxlanVNI: 4097, vxlanPort: 8472, vxlanMTU: 1400}'),
    );
    const e = node(p, 'node-b1').dataplane!.encap!;
    expect([e.vxlan!.vni, e.vxlan!.port, e.vxlan!.mtu, e.podMtu]).toEqual([4097, 8472, 1400, 1400]);
  });
  it('v3.33 adds the UDP rule that keeps masquerade off the VXLAN port (calico#12244)', () => {
    expect(masqPortRangeExcluding(4789)).toBe('4790-65535');
    expect(masqPortRangeExcluding(60000)).toBe('1024-59999');
    const p = plan(
      RACKS.replace('spec:\n', 'spec:\n  calicoVersion: v3.33\n') + pool('  vxlanMode: Always\n'),
    );
    const lines = saveLines(p, 'node-a1').filter((l) => l.includes('vxlan.calico'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^-A cali-POSTROUTING -o vxlan\.calico -p udp -m comment --comment "cali:\S{16}" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --to-ports 4790-65535 --random-fully$/,
    );
    const v330 = plan(RACKS + pool('  vxlanMode: Always\n'));
    expect(saveLines(v330, 'node-a1').filter((l) => l.includes('vxlan.calico'))).toHaveLength(1);
  });
});

describe('IPIP (rendered; `up` needs the ipip module)', () => {
  const p = plan(RACKS + pool('  ipipMode: Always\n'));
  const dp = node(p, 'node-a1').dataplane!;
  const tunnel = (n: string) => p.ipam.tunnels!.find((t) => t.node === n && t.kind === 'ipip')!;

  it('tunl0 with the tunnel address, MTU 1480; remote blocks via the node, dev tunl0 onlink', () => {
    expect(dp.encap!.ipip).toEqual({
      name: 'tunl0',
      mtu: 1480,
      address: tunnel('node-a1').address,
    });
    expect(dp.encap!.podMtu).toBe(1480);
    expect(dp.encap!.routes).toEqual([
      { dst: tunnel('node-a2').block, via: '172.30.1.3', dev: 'tunl0' },
      { dst: tunnel('node-b1').block, via: '172.30.2.2', dev: 'tunl0' },
    ]);
    expect(renderEncap(dp.encap!).devices).toBe('link add name tunl0 index 65536 type ipip\n');
  });

  it('the tunl0 MASQUERADE rule has Felix hash; all-hosts-net holds every node', () => {
    expect(saveLines(p, 'node-a1')).toContain(
      '-A cali-POSTROUTING -o tunl0 -m comment --comment "cali:SXWvdsbh4Mw7wOln" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully',
    );
    expect(dp.ipsets.find((s) => s.name === 'cali40all-hosts-net')!.members).toEqual([
      '172.30.1.2/32',
      '172.30.1.3/32',
      '172.30.2.2/32',
    ]);
  });

  it("BIRD's kernel filter names Calico's krt_tunnel and keeps the pool out (the lab installs those routes)", () => {
    const bird = renderContainer(node(p, 'node-a1')).birdConfig!;
    expect(bird).toContain('    # Calico: krt_tunnel = "tunl0";\n');
    const cs = plan(RACKS + pool('  ipipMode: CrossSubnet\n'));
    const csDp = node(cs, 'node-a1').dataplane!;
    expect(renderContainer(node(cs, 'node-a1')).birdConfig!).toContain(
      '( bgp_next_hop ~ 172.30.1.0/24 ) then krt_tunnel = ""; else krt_tunnel = "tunl0";',
    );
    expect(csDp.routes).toContainEqual({
      dst: cs.ipam.tunnels!.find((t) => t.node === 'node-a2')!.block,
      via: '172.30.1.3',
      dev: 'eth0',
    });
  });
});

describe('WireGuard (rendered; `up` needs the wireguard module)', () => {
  it('wireguard.cali MASQUERADE rule with Felix hash, MTU 1440, its address first', () => {
    const p = plan(
      RACKS +
        pool('') +
        '---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {wireguardEnabled: true}\n',
    );
    expect(saveLines(p, 'node-a1')).toContain(
      '-A cali-POSTROUTING -o wireguard.cali -m comment --comment "cali:TRTYUg_Kf3b5HCgm" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully',
    );
    expect(node(p, 'node-a1').dataplane!.encap!.podMtu).toBe(1440);
    expect(p.ipam.tunnels!.map((t) => t.kind)).toEqual(['wireguard', 'wireguard', 'wireguard']);
  });
});

describe('bad input', () => {
  const problems = (text: string) => loadSources([{ file: 'lab.yaml', text }]);
  it('CrossSubnet on a fabric of one subnet warns at the field', () => {
    const text = RACKS.replace(/ {2}fabric:\n(?: {4,}.*\n)+/, '').replace(/, rack: rack-[ab]/g, '');
    const r = problems(text + pool('  vxlanMode: CrossSubnet\n'));
    expect(r.problems).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toContainEqual(
      expect.stringContaining('vxlanMode CrossSubnet on a lab whose nodes share one subnet'),
    );
    const line =
      (text + pool('  vxlanMode: CrossSubnet\n')).split('\n').indexOf('  vxlanMode: CrossSubnet') +
      1;
    expect(r.warnings.find((w) => w.message.includes('CrossSubnet'))!.position?.line).toBe(line);
  });
  it('both modes on one pool: calicoctl error', () => {
    const r = problems(RACKS + pool('  vxlanMode: Always\n  ipipMode: Always\n'));
    expect(r.problems.map((x) => x.message).join('\n')).toContain(
      'Cannot enable both VXLAN and IPIP on the same IPPool',
    );
  });
  it('IPIP on an IPv6 pool: calicoctl error', () => {
    const r = problems(
      RACKS + pool('  ipipMode: Always\n').replace('192.168.0.0/16', 'fd00:10::/64'),
    );
    expect(r.problems.map((x) => x.message).join('\n')).toContain(
      'IPIP is not supported on an IPv6 IP pool',
    );
  });
  it('an unknown rack, a bad VNI: positioned errors', () => {
    const text =
      RACKS.replace('name: node-b1, rack: rack-b', 'name: node-b1, rack: rack-c') +
      pool('  vxlanMode: Always\n') +
      '---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {vxlanVNI: 16777216}\n';
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    const msgs = problems(text).problems.map((x) => `${x.position?.line}: ${x.message}`);
    expect(msgs).toContain(
      `${at('rack: rack-c')}: unknown rack "rack-c": the racks are rack-a, rack-b`,
    );
    expect(msgs).toContain(
      `${at('vxlanVNI')}: error with field VxlanVNI = '16777216' (must be an integer from 1 to 16777215 (a VXLAN network identifier has 24 bits))`,
    );
  });
  it('an enabled pool over a second rack: positioned error, nothing planned', () => {
    const text = RACKS + pool('  vxlanMode: Always\n').replace('192.168.0.0/16', '172.30.2.0/24');
    const r = problems(text);
    expect(() => loadLab([{ file: 'lab.yaml', text }])).toThrow();
    const line = text.split('\n').indexOf('  cidr: 172.30.2.0/24') + 1;
    expect(r.problems.map((x) => `${x.position?.line}: ${x.message}`)).toContain(
      `${line}: enabled IPPool(pool-a) CIDR 172.30.2.0/24 overlaps rack rack-b (172.30.2.0/24): pod addresses would collide with the nodes' network`,
    );
  });
});
