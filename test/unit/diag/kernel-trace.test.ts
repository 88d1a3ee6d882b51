// The kernel's trace as `nft -a monitor` printed it in a lab node (outgoing-nat template,
// web-1 pinging internet), mapped to the plan's rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  mapKernelTrace,
  parseNftTrace,
  parseRulesetHandles,
} from '../../../src/core/diag/kernel-trace.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const TEMPLATE = readFileSync(
  join(import.meta.dirname, '../../../lab-templates/outgoing-nat.yaml'),
  'utf8',
);
const MONITOR = `trace id 549321bb ip egresslab_trace pre packet: iif "cali0761ccbeace" ip saddr 192.168.0.0 ip daddr 203.0.113.10 icmp type echo-request
trace id 549321bb ip egresslab_trace pre rule ip saddr 192.168.0.0 ip daddr 203.0.113.10 meta nftrace set 1 # handle 2 (verdict continue)
trace id 549321bb ip egresslab_trace pre policy accept 
trace id 549321bb ip nat POSTROUTING packet: iif "cali0761ccbeace" oif "eth0" ip saddr 192.168.0.0 ip daddr 203.0.113.10
trace id 549321bb ip nat POSTROUTING rule  counter packets 0 bytes 0 jump cali-POSTROUTING # handle 10 (verdict jump cali-POSTROUTING)
trace id 549321bb ip nat cali-POSTROUTING rule  counter packets 0 bytes 0 jump cali-fip-snat # handle 5 (verdict jump cali-fip-snat)
trace id 549321bb ip nat cali-POSTROUTING rule  counter packets 0 bytes 0 jump cali-nat-outgoing # handle 6 (verdict jump cali-nat-outgoing)
trace id 549321bb ip nat cali-nat-outgoing rule  xt match set xt match set counter packets 0 bytes 0 masquerade fully-random # handle 7 (verdict accept)
`;
const RULESET = `table ip nat { # handle 1
\tchain cali-POSTROUTING { # handle 1
\t\t counter packets 1 bytes 84 jump cali-fip-snat # handle 5
\t\t counter packets 1 bytes 84 jump cali-nat-outgoing # handle 6
\t}
\tchain cali-fip-snat { # handle 2
\t}
\tchain cali-nat-outgoing { # handle 3
\t\t xt match set xt match set counter packets 1 bytes 84 masquerade fully-random # handle 7
\t}
\tchain POSTROUTING { # handle 9
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\t counter packets 1 bytes 84 jump cali-POSTROUTING # handle 10
\t}
}
`;
const SAVE = `*nat
:POSTROUTING ACCEPT [0:0]
:cali-POSTROUTING - [0:0]
:cali-fip-snat - [0:0]
:cali-nat-outgoing - [0:0]
-A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING
-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat
-A cali-POSTROUTING -m comment --comment "cali:nYKhEzDlr11Jccal" -j cali-nat-outgoing
-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully
COMMIT
`;

function input(text = TEMPLATE, monitor = MONITOR) {
  const lab = loadLab([{ file: 'lab.yaml', text }]);
  const plan = planLab(lab);
  return {
    dp: plan.containers.find((c) => c.name === 'node-1')!.dataplane!,
    pools: lab.ipPools,
    felix: lab.felixConfiguration,
    source: '192.168.0.0',
    monitor,
    ruleset: RULESET,
    iptablesSave: SAVE,
    explanation: explain(plan, 'web-1', '203.0.113.10'),
  };
}

describe('kernel trace', () => {
  test('parses trace lines, leaving the other monitor events out', () => {
    const lines = parseNftTrace(`add table ip egresslab_ready\n${MONITOR}`);
    expect(lines).toHaveLength(8);
    expect(lines[7]).toMatchObject({
      table: 'ip nat',
      chain: 'cali-nat-outgoing',
      handle: 7,
      verdict: 'accept',
    });
  });

  test('each hit gets its cali: hash by position; the MASQUERADE maps to the pod pool; agrees with explain', () => {
    const t = mapKernelTrace(input());
    expect(t.hits.map((h) => h.hash)).toEqual([
      '0i8pjzKKPyA34aQD',
      'Z-c7XtVd2Bq7s_hA',
      'nYKhEzDlr11Jccal',
      'flqWnvo8yq4ULQLa',
    ]);
    expect(t.hits[3]!.origin).toContain(
      'is in IPPool default-ipv4-ippool (192.168.0.0/16, natOutgoing: true)',
    );
    expect(t.nat).toEqual({
      action: 'masquerade',
      hash: 'flqWnvo8yq4ULQLa',
      pool: 'default-ipv4-ippool',
    });
    expect(t.disagreements).toEqual([]);
  });

  test('explain says no NAT (natOutgoing false) but the kernel masqueraded: a disagreement', () => {
    const off = TEMPLATE.replace('natOutgoing: true', 'natOutgoing: false');
    const t = mapKernelTrace(input(off));
    expect(t.hits[3]!.origin).toBe(
      "cali:flqWnvo8yq4ULQLa is no rule of the lab's plan for this node",
    );
    expect(t.disagreements).toEqual([
      'explain says no NAT, but the kernel MASQUERADEd the packet in cali-nat-outgoing (cali:flqWnvo8yq4ULQLa)',
    ]);
  });

  test('no trace of the probe at all is said, not taken for agreement', () => {
    const t = mapKernelTrace(input(TEMPLATE, ''));
    expect(t.disagreements).toEqual([
      "the kernel traced no rule of the node's for the probe (did it reach the node?)",
    ]);
  });
});

describe('kernel trace on an nftables node (table ip calico)', () => {
  test("handles and Felix's comments are read past the sets; hashes are nftables'", () => {
    const ruleset = readFileSync(join(import.meta.dirname, 'fixtures/nft-node-1.ruleset'), 'utf8');
    const handles = parseRulesetHandles(ruleset);
    expect(handles.get('ip calico nat-cali-POSTROUTING')).toEqual([
      { handle: 8, comment: 'cali:tyzVzs_JgnIisxS6;' },
      { handle: 9, comment: 'cali:_Ye9aC74uuE93XON;' },
    ]);
    const nftLab = TEMPLATE.replace(
      'apiVersion: projectcalico.org/v3\nkind: IPPool',
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n  nftablesMode: Enabled\n---\napiVersion: projectcalico.org/v3\nkind: IPPool',
    );
    const monitor = `trace id 1 ip calico nat-cali-nat-outgoing rule ip saddr @cali40masq-ipam-pools ip daddr != @cali40all-ipam-pools counter packets 0 bytes 0 masquerade fully-random comment "cali:JjuWIaIfSLZi41Xk;" # handle 10 (verdict accept)\n`;
    const t = mapKernelTrace({ ...input(nftLab, monitor), ruleset, iptablesSave: '' });
    expect(t.hits[0]!.hash).toBe('JjuWIaIfSLZi41Xk');
    expect(t.hits[0]!.origin).toContain('is in IPPool default-ipv4-ippool');
    expect(t.disagreements).toEqual([]);
  });
});
