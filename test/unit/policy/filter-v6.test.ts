// Network policy over IPv6 (dual-stack labs): Felix's ip6tables filter table as data — the
// same chains as IPv4's, the policies' IPv6 nets only, `cali60s:` selector sets of the pods'
// IPv6 addresses (/128), the ICMPv6 a router needs accepted first in cali-wl-to-host (static.go
// ICMPv6Filter), ICMP type matches as `-m icmp6`; and explain's IPv6 verdict.
import { describe, expect, it } from 'vitest';
import { filterLines } from '../../../src/core/dataplane/render-filter.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: v6pol}
spec:
  fabric: {cidr: 172.30.0.0/24, ipv6Cidr: 2001:db8:30::/64}
  router: {name: tor, address: 172.30.0.1, asNumber: 64500}
  nodes: [{name: node-1}, {name: node-2}]
  pods: [{name: web-1, node: node-1, labels: {app: web}}, {name: web-2, node: node-2}]
  hosts: [{name: internet, address: 203.0.113.10/24, ipv6Address: 2001:db8:113::10/64}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-no-v6-internet}
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
  - action: Deny
    destination: {nets: [2001:db8:113::/64]}
  - action: Allow
    protocol: ICMPv6
    icmp: {type: 128}
    destination: {selector: all()}
  - action: Deny
    destination: {nets: [198.51.100.0/24]}
  - action: Allow
`;
const plan = () => planLab(loadLab([{ file: 'lab.yaml', text: LAB }]));

describe('IPv6 network policy', () => {
  it('renders the IPv6 filter table with IPv6 nets and cali60s: sets only', () => {
    const p = plan();
    const dp = p.containers.find((c) => c.name === 'node-1')!.dataplane!;
    const v6 = filterLines(dp.ipv6!.filter!);
    const v4 = filterLines(dp.filter!);
    const po = (lines: string[]) => lines.filter((l) => l.startsWith('-A cali-po-'));
    expect(po(v6).join('\n')).toContain('--destination 2001:db8:113::/64');
    expect(po(v6).join('\n')).not.toContain('198.51.100.0/24');
    expect(po(v4).join('\n')).toContain('--destination 198.51.100.0/24');
    expect(po(v4).join('\n')).not.toContain('2001:db8');
    expect(po(v6).join('\n')).toMatch(
      /-p icmpv6 -m set --match-set cali60s:\S+ dst -m icmp6 --icmpv6-type 128/,
    );
    const set = dp.ipv6!.ipsets.find((s) => s.name.startsWith('cali60s:'))!;
    expect(set.family).toBe('inet6');
    const addrs = p.ipam.assignments.map((a) => `${a.ipv6!.address}/128`).sort();
    expect(set.members).toEqual(addrs);
    // The same hooks and dispatch as IPv4's; ICMPv6 for the router first in cali-wl-to-host.
    expect(v6.filter((l) => /^-I (FORWARD|INPUT|OUTPUT) /.test(l))).toHaveLength(3);
    const wl = v6.filter((l) => l.startsWith('-A cali-wl-to-host '));
    expect(wl.slice(0, 6).map((l) => / --icmpv6-type (\d+) /.exec(l)?.[1])).toEqual([
      '130',
      '131',
      '132',
      '133',
      '135',
      '136',
    ]);
    expect(wl[0]).toMatch(/-p 58 -m icmp6 --icmpv6-type 130 --jump ACCEPT$/);
    expect(wl.at(-1)).toMatch(/DefaultEndpointToHostAction" --jump ACCEPT$/);
  });

  it('explain over IPv6 names the denying rule; IPv4 to the internet stays allowed', () => {
    const p = plan();
    const e6 = explain(p, 'web-1', '2001:db8:113::10');
    expect(e6.ipVersion).toBe(6);
    expect(e6.policy?.allowed).toBe(false);
    expect(e6.policy!.verdicts[0]).toMatchObject({ policy: 'web-no-v6-internet', ruleIndex: 0 });
    expect(e6.policy!.verdicts[0]!.hash).toMatch(/^[\w-]{16}$/);
    expect(e6.forward?.ok).toBe(false);
    const e4 = explain(p, 'web-1', 'internet');
    expect(e4.policy?.allowed).toBe(true);
    // web-2 over IPv6: its ping matches the ICMPv6 rule of no policy (no policy selects it).
    const w2 = p.ipam.assignments.find((a) => a.pod === 'web-2')!.ipv6!.address;
    expect(explain(p, 'web-1', w2, { ipVersion: 6 }).policy?.verdicts[0]).toMatchObject({
      ruleIndex: 1,
      action: 'Allow',
    });
  });
});
