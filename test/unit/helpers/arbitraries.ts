// fast-check generators of valid labs: non-overlapping v4 pools (each in its own /13 of
// 10.0.0.0/8) with random flags and selectors, random Felix NAT options, mesh on/off,
// a BGPPeer to the router (global, one node, or with the wrong AS) and pods with or
// without the ipv4pools annotation.
import fc from 'fast-check';
import type { FelixConfiguration, IPPool } from '../../../src/core/model/calico.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { felix, makeLab, node, peer, pod, pool } from './lab.js';

const poolArb = (slot: number): fc.Arbitrary<IPPool> =>
  fc
    .record({
      prefix: fc.integer({ min: 13, max: 24 }),
      extraBlock: fc.integer({ min: 0, max: 8 }),
      natOutgoing: fc.boolean(),
      disabled: fc.boolean(),
      disableBGPExport: fc.boolean(),
      selector: fc.constantFrom('all()', "zone == 'a'", '!has(zone)'),
    })
    .map((r) =>
      pool(`pool-${slot}`, `10.${slot * 8}.0.0/${r.prefix}`, {
        blockSize: Math.min(32, Math.max(20, r.prefix + r.extraBlock)), // Calico: v4 blocks 20..32
        natOutgoing: r.natOutgoing,
        disabled: r.disabled,
        disableBGPExport: r.disableBGPExport,
        nodeSelector: r.selector,
      }),
    );

export const poolsArb = (minSlot = 0) =>
  fc
    .uniqueArray(fc.integer({ min: minSlot, max: 31 }), { minLength: 1, maxLength: 4 })
    .chain((slots) => fc.tuple(...slots.map(poolArb)));

const felixArb: fc.Arbitrary<FelixConfiguration> = fc
  .record({
    natOutgoingAddress: fc.constantFrom(undefined, '172.30.0.11', '198.51.100.7'),
    iptablesNATOutgoingInterfaceFilter: fc.constantFrom(undefined, 'eth0', 'eth+', 'ens+'),
    natPortRange: fc.constantFrom(undefined, '32768:65000'),
    natOutgoingExclusions: fc.constantFrom(
      undefined,
      'IPPoolsOnly' as const,
      'IPPoolsAndHostIPs' as const,
    ),
  })
  .map((s) => felix(Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))));

/** minSlot 1 keeps every pool clear of the corp host's 10.0.0.0/24 segment. */
export const labArbitrary = (minSlot = 0): fc.Arbitrary<Lab> =>
  fc
    .record({
      pools: poolsArb(minSlot),
      felix: felixArb,
      mesh: fc.boolean(),
      peerTor: fc.constantFrom('none', 'global', 'node-1', 'wrong-as'),
      pods: fc.array(
        fc.record({
          onNode2: fc.boolean(),
          annotate: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    })
    .map((r) =>
      makeLab({
        nodes: [
          node('node-1', '172.30.0.11', { labels: { zone: 'a' } }),
          node('node-2', '172.30.0.12'),
        ],
        ipPools: r.pools,
        felixConfiguration: r.felix,
        bgpConfiguration: {
          kind: 'BGPConfiguration',
          name: 'default',
          spec: { asNumber: 64512, nodeToNodeMeshEnabled: r.mesh },
        },
        bgpPeers:
          r.peerTor === 'none'
            ? []
            : [
                peer(
                  'tor',
                  '172.30.0.1',
                  r.peerTor === 'wrong-as' ? 64501 : 64500,
                  r.peerTor === 'node-1' ? { node: 'node-1' } : {},
                ),
              ],
        pods: r.pods.map((p, i) => {
          const target =
            p.annotate === undefined ? undefined : r.pools[p.annotate % r.pools.length];
          return pod(`p${i}`, p.onNode2 ? 'node-2' : 'node-1', {
            annotations: target
              ? { 'cni.projectcalico.org/ipv4pools': JSON.stringify([target.name]) }
              : {},
          });
        }),
      }),
    );

export const labArb = labArbitrary();
