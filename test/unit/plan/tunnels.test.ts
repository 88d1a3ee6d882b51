// The topology's tunnels and racks from the plan's data (plan/tunnels.ts): one tunnel per pair
// of nodes that encapsulate between each other, CrossSubnet only across racks.
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { labTunnels } from '../../../src/core/plan/tunnels.js';
import { twoRacksLab } from '../helpers/racks.js';

const RACKS = twoRacksLab('topo-racks');
const pool = (extra: string) => `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-a}
spec:
  cidr: 192.168.0.0/16
${extra}`;
const felix = (spec: string) =>
  `---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: ${spec}\n`;
const tunnelsOf = (text: string) => labTunnels(planLab(loadLab([{ file: 'lab.yaml', text }])));
const pairs = (t: ReturnType<typeof labTunnels>) =>
  t.tunnels.map((x) => `${x.a}-${x.b} ${x.label}`);

describe('labTunnels', () => {
  it('VXLAN Always: every pair of nodes, with VNI and port', () => {
    expect(pairs(tunnelsOf(RACKS + pool('  vxlanMode: Always\n')))).toEqual([
      'node-a1-node-a2 VXLAN VNI 4096 :4789',
      'node-a1-node-b1 VXLAN VNI 4096 :4789',
      'node-a2-node-b1 VXLAN VNI 4096 :4789',
    ]);
  });

  it("VXLAN CrossSubnet: only across racks; FelixConfiguration's VNI and port", () => {
    const t = tunnelsOf(
      RACKS + pool('  vxlanMode: CrossSubnet\n') + felix('{vxlanVNI: 4242, vxlanPort: 8472}'),
    );
    expect(pairs(t)).toEqual([
      'node-a1-node-b1 VXLAN VNI 4242 :8472',
      'node-a2-node-b1 VXLAN VNI 4242 :8472',
    ]);
    expect(t.tunnels[0]).toMatchObject({ kind: 'vxlan', device: 'vxlan.calico' });
  });

  it('IPIP CrossSubnet: tunl0 across racks only', () => {
    const t = tunnelsOf(RACKS + pool('  ipipMode: CrossSubnet\n'));
    expect(pairs(t)).toEqual(['node-a1-node-b1 IPIP', 'node-a2-node-b1 IPIP']);
    expect(t.tunnels[0]!.device).toBe('tunl0');
  });

  it('racks with their nodes; no tunnels without encapsulation', () => {
    const t = tunnelsOf(RACKS + pool(''));
    expect(t.tunnels).toEqual([]);
    expect(t.wireguard).toEqual([]);
    expect(t.racks).toEqual([
      { name: 'rack-a', cidr: '172.30.1.0/24', nodes: ['node-a1', 'node-a2'] },
      { name: 'rack-b', cidr: '172.30.2.0/24', nodes: ['node-b1'] },
    ]);
  });

  it('WireGuard: the device on each node', () => {
    const t = tunnelsOf(RACKS + pool('') + felix('{wireguardEnabled: true}'));
    expect(t.wireguard).toEqual([
      { node: 'node-a1', device: 'wireguard.cali', mtu: 1440 },
      { node: 'node-a2', device: 'wireguard.cali', mtu: 1440 },
      { node: 'node-b1', device: 'wireguard.cali', mtu: 1440 },
    ]);
  });
});
