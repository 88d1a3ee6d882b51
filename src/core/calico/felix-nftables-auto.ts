// Felix's nftablesMode with kube-proxy's mode known: Auto follows kube-proxy, nftables when
// kube-proxy runs in nftables mode (felix/dataplane/linux/int_dataplane.go:
// KubeProxyNftablesEnabledFn, felix/DESIGN.md "NFTablesMode=Auto resolves by following the
// detected kube-proxy mode"). effectiveNftables alone takes the lab without kube-proxy (iptables).
import type { NftablesMode } from '../model/calico.js';
import { effectiveNftables } from './versions.js';

export function felixUsesNftables(
  mode: NftablesMode | undefined,
  calicoVersion: string,
  kubeProxyMode: 'iptables' | 'nftables' | undefined,
): boolean {
  const eff = effectiveNftables(mode, calicoVersion);
  return eff.nftables || (eff.mode === 'Auto' && kubeProxyMode === 'nftables');
}
