// Felix's filter chains between a node and its own pods (cali-INPUT, cali-wl-to-host,
// cali-OUTPUT and their INPUT/OUTPUT hooks): the rules and their `cali:` hashes as real Calico
// nodes show them in iptables-save (the tunnel-less node and the IPIP node), the
// defaultEndpointToHostAction field (Accept unless set, as the manifests install calico-node),
// and the nftables form (base chains filter-INPUT/filter-OUTPUT).
import { describe, expect, it } from 'vitest';
import { filterLines, hashedFilterRules } from '../../../src/core/dataplane/render-filter.js';
import { nftFilterLayer } from '../../../src/core/dataplane/render-nft-filter.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const POLICY = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-a}
spec: {selector: app == 'a', types: [Egress]}
`;
const felix = (spec: string) => `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: ${spec}
`;
const IPIP_POOL = `---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-a}
spec: {cidr: 192.168.0.0/16, natOutgoing: true, ipipMode: Always}
`;

function lab(extra = '') {
  return `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}, {name: node-2}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}, {name: b-1, node: node-1}]
  hosts: [{name: internet, address: 203.0.113.10/24}]
${POLICY}${extra}`;
}
function filter(extra = '') {
  const p = planLab(loadLab([{ file: 'lab.yaml', text: lab(extra) }]));
  return p.containers.find((c) => c.name === 'node-1')!.dataplane!.filter!;
}
const hashes = (t: ReturnType<typeof filter>, chain: string) =>
  hashedFilterRules(t)
    .filter((h) => h.chain === chain)
    .map((h) => h.hash);
const lines = (t: ReturnType<typeof filter>, chain: string) =>
  filterLines(t).filter((l) => l.startsWith(`-A ${chain} `) || l.startsWith(`-I ${chain} `));

describe('pod <-> own node in the filter table', () => {
  it("hooks INPUT and OUTPUT as a real node does (Felix's hashes)", () => {
    const t = filter();
    expect(hashes(t, 'INPUT')).toEqual(['Cz_u1IQiXIMmKD4c']);
    expect(hashes(t, 'OUTPUT')).toEqual(['tVnHkvAo15HuiPy0']);
    expect(lines(t, 'INPUT')).toEqual([
      '-I INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" --jump cali-INPUT',
    ]);
  });

  it('sends workload packets through the from-workload dispatch, then the endpoint-to-host action', () => {
    const t = filter();
    // A tunnel-less v3.x node: `-i cali+ -g cali-wl-to-host` first, then the accepted-mark check.
    expect(hashes(t, 'cali-INPUT').slice(0, 2)).toEqual(['FewJpBykm9iJ-YNH', 'hder3ARWznqqv8Va']);
    expect(lines(t, 'cali-INPUT')[0]).toBe(
      '-A cali-INPUT -m comment --comment "cali:FewJpBykm9iJ-YNH" --in-interface cali+ --goto cali-wl-to-host',
    );
    // Unset defaultEndpointToHostAction: ACCEPT, as calico.yaml / the operator set it.
    expect(hashes(t, 'cali-wl-to-host')).toEqual(['Ee9Sbo10IpVujdIY', 'nSZbcOoG1xPONxb8']);
    expect(lines(t, 'cali-wl-to-host')).toEqual([
      '-A cali-wl-to-host -m comment --comment "cali:Ee9Sbo10IpVujdIY" --jump cali-from-wl-dispatch',
      '-A cali-wl-to-host -m comment --comment "cali:nSZbcOoG1xPONxb8" -m comment --comment "Configured DefaultEndpointToHostAction" --jump ACCEPT',
    ]);
    // The dispatch reached from there is the FORWARD path's: the pod's own cali-fw- chain.
    expect(filterLines(t).some((l) => /^-A cali-from-wl-dispatch .*--goto cali-fw-/.test(l))).toBe(
      true,
    );
  });

  it('does not police host -> workload: cali-OUTPUT returns for cali+ (as Felix does)', () => {
    const t = filter();
    expect(hashes(t, 'cali-OUTPUT').slice(0, 2)).toEqual(['Mq1_rAdXXH3YkrzW', '69FkRTJDvD5Vu6Vl']);
    expect(lines(t, 'cali-OUTPUT')[1]).toBe(
      '-A cali-OUTPUT -m comment --comment "cali:69FkRTJDvD5Vu6Vl" --out-interface cali+ --jump RETURN',
    );
    expect(
      filterLines(t).some((l) => l.includes('cali-to-wl-dispatch') && l.includes('OUTPUT')),
    ).toBe(false);
  });

  it('checks IPIP packets in cali-INPUT and allows them out in cali-OUTPUT (a real IPIP node)', () => {
    const t = filter(IPIP_POOL);
    expect(hashes(t, 'cali-INPUT').slice(0, 4)).toEqual([
      'PajejrV4aFdkZojI',
      '_wjq-Yrma8Ly1Svo',
      '8TZGxLWh_Eiz66wc',
      '6McIeIDvPdL6PE1T',
    ]);
    expect(lines(t, 'cali-INPUT')[0]).toBe(
      '-A cali-INPUT -m comment --comment "cali:PajejrV4aFdkZojI" -m comment --comment "Allow IPIP packets from Calico hosts" -p 4 -m set --match-set cali40all-hosts-net src -m addrtype --dst-type LOCAL --jump ACCEPT',
    );
    expect(hashes(t, 'cali-OUTPUT').slice(0, 3)).toEqual([
      'Mq1_rAdXXH3YkrzW',
      '69FkRTJDvD5Vu6Vl',
      'AnEsmO6bDZbQntWW',
    ]);
  });

  it('follows FelixConfiguration defaultEndpointToHostAction, any case', () => {
    expect(
      lines(filter(felix('{defaultEndpointToHostAction: Drop}')), 'cali-wl-to-host')[1],
    ).toMatch(/Configured DefaultEndpointToHostAction" --jump DROP$/);
    expect(
      lines(filter(felix('{defaultEndpointToHostAction: RETURN}')), 'cali-wl-to-host')[1],
    ).toMatch(/--jump RETURN$/);
  });

  it("refuses a value the CRD's pattern refuses, positioned", () => {
    expect(() =>
      loadLab([{ file: 'lab.yaml', text: lab(felix('{defaultEndpointToHostAction: Reject}')) }]),
    ).toThrow(
      /lab\.yaml:\d+:\d+: FelixConfiguration\(default\).*defaultEndpointToHostAction.*should match '\^\(\?i\)\(Drop\|Accept\|Return\)\?\$'/s,
    );
  });

  it('in nftables mode: filter-INPUT and filter-OUTPUT base chains, Felix’s nft words', () => {
    const layer = nftFilterLayer(filter(felix('{nftablesMode: Enabled}')));
    expect(layer.baseChains.map((b) => b.name)).toEqual([
      'filter-FORWARD',
      'filter-INPUT',
      'filter-OUTPUT',
    ]);
    const text = (chain: string) =>
      layer.rules.filter((r) => r.chain === chain).map((r) => r.text.replace(/ comment .*/, ''));
    expect(text('filter-INPUT')).toEqual(['counter jump filter-cali-INPUT']);
    expect(text('filter-cali-INPUT')[0]).toBe('iifname cali* counter goto filter-cali-wl-to-host');
    expect(text('filter-cali-wl-to-host')).toEqual([
      'counter jump filter-cali-from-wl-dispatch',
      'counter accept',
    ]);
    expect(text('filter-cali-OUTPUT').slice(0, 2)).toEqual([
      'meta mark & 0x10000 == 0x10000 counter accept',
      'oifname cali* counter return',
    ]);
    expect(text('filter-cali-OUTPUT')).toContain(
      'ct status != dnat counter jump filter-cali-to-host-endpoint',
    );
  });
});
