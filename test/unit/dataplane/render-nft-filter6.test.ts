// The IPv6 filter layer in nftables form (table ip6 calico): `ip6 daddr` matches, `icmpv6`
// types, the cali60s: sets as ipv6_addr sets, and the whole table accepted by `nft -c`.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { renderNftFilter6Table } from '../../../src/core/dataplane/render-nft-filter6.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: v6nft}
spec:
  fabric: {cidr: 172.30.0.0/24, ipv6Cidr: 2001:db8:30::/64}
  router: {name: tor, address: 172.30.0.1, asNumber: 64500}
  nodes: [{name: node-1}]
  pods: [{name: web-1, node: node-1, labels: {app: web}}, {name: web-2, node: node-1}]
  hosts: [{name: internet, address: 203.0.113.10/24, ipv6Address: 2001:db8:113::10/64}]
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Enabled}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web, namespace: default}
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
  - {action: Deny, destination: {nets: ['2001:db8:113::/64']}}
  - {action: Allow, protocol: ICMPv6, icmp: {type: 128}, destination: {selector: all()}}
`;

function table(): string {
  const dp = planLab(loadLab([{ file: 'lab.yaml', text: LAB }])).containers.find(
    (c) => c.name === 'node-1',
  )!.dataplane!;
  return renderNftFilter6Table(dp.ipv6!.filter!, dp.ipv6!.ipsets);
}

const nftCheckAvailable = () =>
  spawnSync('nft', ['--version']).status === 0 && process.getuid?.() === 0;

describe('IPv6 filter layer in nftables form', () => {
  test('ip6 matches, icmpv6 types, ipv6_addr sets', () => {
    const t = table();
    expect(t).toMatch(/^table ip6 calico \{/);
    expect(t).toMatch(/ip6 daddr 2001:db8:113::\/64 counter meta mark set mark or 0x40000/);
    expect(t).toMatch(/meta l4proto icmpv6 ip6 daddr @cali60s-\S+ icmpv6 type 128 counter/);
    expect(t).toMatch(
      /set cali60s-\S+ \{ type ipv6_addr; flags interval; elements = \{ [0-9a-f:]+\/128, /,
    );
    expect(t).toMatch(
      /chain filter-cali-wl-to-host \{\n\t\tmeta l4proto 58 icmpv6 type 130 counter accept/,
    );
    expect(t).not.toMatch(/\bip (s|d)addr/);
  });

  test.skipIf(!nftCheckAvailable())('nft -c accepts the table', () => {
    const r = spawnSync('unshare', ['-n', 'nft', '-c', '-f', '-'], { input: table() });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  });
});
