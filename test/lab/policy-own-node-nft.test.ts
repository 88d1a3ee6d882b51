// Pod -> own node under policy in nftables mode (Felix's filter-INPUT base chain →
// filter-cali-INPUT → filter-cali-wl-to-host): a-1, whose egress policy denies its node's
// address, cannot ping node-1 while b-1 on the same node can; the kernel's ruleset has the hooks.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `ph-${randomBytes(3).toString('hex')}`;
const NODE = '172.30.0.11';
const TEXT = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: own-node-nft}
spec:
  nodes: [{name: node-1, address: ${NODE}}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}, {name: b-1, node: node-1, labels: {app: b}}]
  hosts: [{name: internet, address: 203.0.113.10/24}]
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Enabled}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: a-not-to-node}
spec:
  selector: app == 'a'
  types: [Egress]
  egress:
  - action: Deny
    destination: {nets: [${NODE}/32]}
  - action: Allow
`;

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: 'own-node-nft.yaml', text: TEXT }], { name: LAB });
}, 240_000);

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

async function pingOk(from: string, to: string): Promise<boolean> {
  const r = await service.live.ping(LAB, from, to, { count: 2, waitS: 1 });
  return r.received > 0;
}

describe('pod -> own node under policy, nftables mode', () => {
  it('programs filter-INPUT and filter-OUTPUT in table ip calico', async () => {
    const rt = await service.runtime();
    const r = await rt.exec(LAB, 'node-1', ['nft', 'list', 'table', 'ip', 'calico']);
    expect(r.stdout).toMatch(
      /chain filter-INPUT \{\s*type filter hook input priority filter; policy accept;\s*counter packets \d+ bytes \d+ jump filter-cali-INPUT/,
    );
    expect(r.stdout).toMatch(
      /iifname "cali\*" counter packets \d+ bytes \d+ goto filter-cali-wl-to-host/,
    );
    expect(r.stdout).toMatch(/oifname "cali\*" counter packets \d+ bytes \d+ return/);
  });

  it('denies a-1 → node-1 by egress policy and lets b-1 through', async () => {
    expect(await pingOk('a-1', 'node-1')).toBe(false);
    expect(await pingOk('b-1', 'node-1')).toBe(true);
    expect(await pingOk('a-1', 'internet')).toBe(true);
    expect(await pingOk('node-1', 'a-1')).toBe(true);
  });
});
