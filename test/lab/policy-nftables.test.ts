// Network policy in Felix's nftables mode on a real engine: the default-deny template with
// FelixConfiguration nftablesMode Enabled passes `check` (the allowed flows seen, the denied
// one arriving on the node's side of the pod's veth and going no further), and the node's
// kernel holds the policy in table `ip calico` (filter layer, dispatch maps), none in iptables.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `pn-${randomBytes(3).toString('hex')}`;
const template = readFileSync(
  new URL('../../lab-templates/policy-default-deny-networkset.yaml', import.meta.url),
  'utf8',
);
const NFT = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Enabled}
`;

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
});

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('network policy in nftables mode on the wire', () => {
  it('check: allowed flows seen, the denied one dropped in the node; rules in nft only', async () => {
    const report = await service.live.check(
      [
        { file: 'dd.yaml', text: template },
        { file: 'nft.yaml', text: NFT },
      ],
      { name: LAB },
    );
    expect(report.entries.map((e) => [e.ok, e.mismatches])).toEqual(
      report.entries.map(() => [true, []]),
    );
    const denied = report.entries.filter((e) => e.expectation.allowed === false);
    const allowed = report.entries.filter((e) => e.expectation.allowed !== false);
    expect(denied.length).toBeGreaterThan(0);
    expect(allowed.length).toBeGreaterThan(0);
    for (const d of denied) {
      expect(d.seenSources).toEqual([]);
      expect(d.replies.received).toBe(0);
      expect(d.droppedAt?.packets).toBeGreaterThan(0);
    }

    const rt = await service.runtime();
    const nft = await rt.exec(LAB, 'node-1', ['nft', 'list', 'table', 'ip', 'calico']);
    expect(nft.stdout).toMatch(
      /chain filter-FORWARD \{\n\s+type filter hook forward priority filter; policy accept;/,
    );
    expect(nft.stdout).toMatch(/iifname vmap @filter-cali-from-wl-dispatch/);
    // The default tier's end-of-tier drop counted the denied probes (nft counters).
    expect(nft.stdout).toMatch(
      /meta mark & 0x00020000 == 0x00000000 counter packets [1-9]\d* bytes \d+ drop comment "cali:[\w-]{16}; End of tier default/,
    );
    const ipt = await rt.exec(LAB, 'node-1', ['iptables-save', '-t', 'filter']);
    expect(ipt.stdout).not.toMatch(/cali/);
  });
});
