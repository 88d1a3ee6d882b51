// Tunnel addresses as calico-node allocates them (node/pkg/allocateip/allocateip.go,
// reconcileTunnelAddrs): per node, for WireGuard, then IPIP, then VXLAN, one address by
// AutoAssign from the enabled IPv4 pools that select the node, allow the Tunnel use and (IPIP,
// VXLAN) have that encapsulation on (determineEnabledPoolCIDRs). calico-node runs this before
// any pod of the node is scheduled, so a fresh node's tunnel address is the first ordinal of
// its block and its pods take the following ones.
import type { FelixConfiguration, IPPool } from '../model/calico.js';
import type { Lab, LabNode } from '../model/lab.js';
import { poolSelectsNode } from './pool-choice.js';

export type TunnelKind = 'wireguard' | 'ipip' | 'vxlan';

/** allocateip's order (attrType loop). */
export const TUNNEL_KINDS: TunnelKind[] = ['wireguard', 'ipip', 'vxlan'];

const on = (mode: string) => mode === 'Always' || mode === 'CrossSubnet';

/** determineEnabledPoolCIDRs for one node and kind. */
export function tunnelPools(
  kind: TunnelKind,
  pools: IPPool[],
  node: LabNode,
  felix: FelixConfiguration,
): IPPool[] {
  // WireGuard: an address only where WireGuard runs (the node publishes a key), i.e. where
  // Felix has wireguardEnabled; host-encryption mode would use the node address instead.
  if (kind === 'wireguard' && felix.spec.wireguardEnabled !== true) return [];
  return pools.filter((p) => {
    if (p.spec.cidr.includes(':') || p.spec.disabled) return false;
    if (p.spec.allowedUses.length > 0 && !p.spec.allowedUses.includes('Tunnel')) return false;
    if (!poolSelectsNode(p, node)) return false;
    if (kind === 'ipip') return on(p.spec.ipipMode);
    if (kind === 'vxlan') return on(p.spec.vxlanMode);
    return true;
  });
}

/** The FelixConfiguration a node runs with ("default" merged with "node.<name>"). */
export function nodeFelix(lab: Lab, node: string): FelixConfiguration {
  const own = lab.felixNodeConfigurations?.find((c) => c.name === `node.${node}`);
  if (!own) return lab.felixConfiguration;
  return { ...lab.felixConfiguration, spec: { ...lab.felixConfiguration.spec, ...own.spec } };
}
