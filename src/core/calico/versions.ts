// The Calico versions the lab models and what changes between them for outgoing NAT.
// Read from projectcalico/calico's tags and release branches (v3.30.0 … v3.32.1,
// release-v3.33; the mirror holds no v3.33.0 tag, so v3.33 is the release-v3.33 branch):
// - felix/rules/rule_defs.go: the all-pools ipset's ID is "all-ipam-pools" up to v3.31.5 and
//   v3.32.0, "network-ip-pools" from v3.31.6, v3.32.1 and v3.33 (the backports #12857/#12858
//   of #12769, "exclude LB-only IPPools from all-ipam-pools ipset"). The founders' notes said
//   v3.31.7; the v3.31.6 tag already has the change, so the lab follows the tag.
// - felix/dataplane/linux/masq_mgr.go, same commits: a pool whose allowedUses is only
//   LoadBalancer stays out of that set, so traffic from a NAT pool to a LoadBalancer VIP is
//   masqueraded instead of exempted ("no longer exempt from SNAT").
// - api/.../felixconfig.go: natOutgoingExclusions from v3.31.0.
// - felix/config/config_params.go: NFTablesMode is oneof(Enabled,Disabled) defaulting to
//   Disabled in v3.30/v3.31, oneof(Enabled,Disabled,Auto) defaulting to Auto from v3.32.
// - calicoctl/calicoctl/resourcemgr/ippool.go: `get ippool -o wide` has the ASSIGNMENTMODE
//   column from v3.30.0 on, the same columns through release-v3.33.
// - libcalico-go/lib/clientv3/ippool.go: a created pool overlapping an existing one is refused
//   with the same message in v3.30.0 … release-v3.33. The change the founders' notes put in
//   v3.33 (calico#13953) could not be found in the source or issues available, so the lab
//   refuses overlapping pools in every version, as the code it could read does.

import type { NftablesMode } from '../model/calico.js';

export const SUPPORTED_CALICO_MINORS = [30, 31, 32, 33] as const;
export const SUPPORTED_CALICO_VERSIONS = SUPPORTED_CALICO_MINORS.map((m) => `v3.${m}`);
export const DEFAULT_CALICO_VERSION = 'v3.30';

export type CalicoVersion = readonly [major: number, minor: number, patch: number];

/** calicoVersion as [major, minor, patch]; patch 0 when absent. Shape only. */
export function parseCalicoVersion(v: string): CalicoVersion | undefined {
  const m = /^v(3)\.([0-9]{1,2})(?:\.([0-9]{1,3}))?$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/** Why `v` is not a version the lab models, or undefined when it is. */
export function calicoVersionProblem(v: string): string | undefined {
  const parsed = parseCalicoVersion(v);
  const list = 'v3.30, v3.31, v3.32 or v3.33 (optionally with a patch, e.g. v3.31.7)';
  if (!parsed) return `calicoVersion must be one of ${list}, got ${JSON.stringify(v)}`;
  if (!(SUPPORTED_CALICO_MINORS as readonly number[]).includes(parsed[1]))
    return `calicoVersion ${v} is not modelled: the lab reproduces ${list}`;
  return undefined;
}

export type { NftablesMode };

/** What differs between versions for outgoing NAT, as Felix programs it. */
export interface NatBehaviour {
  /** Name of the ipset of pools whose destinations are exempt from NAT. */
  allPoolsSet: 'cali40all-ipam-pools' | 'cali40network-ip-pools';
  /** Whether LoadBalancer-only pools are members of that set (exempt as destinations). */
  loadBalancerOnlyPoolsExempt: boolean;
  /** FelixConfiguration.natOutgoingExclusions exists. */
  natOutgoingExclusions: boolean;
  /** NFTablesMode values Felix's config parser takes, and its default. */
  nftablesModes: readonly NftablesMode[];
  nftablesDefault: NftablesMode;
}

function atLeast(v: CalicoVersion, minor: number, patch = 0): boolean {
  return v[1] > minor || (v[1] === minor && v[2] >= patch);
}

/** The LoadBalancer-only fix is in v3.31.6+, v3.32.1+ and every v3.33. */
function lbFix(v: CalicoVersion): boolean {
  if (v[1] === 31) return v[2] >= 6;
  if (v[1] === 32) return v[2] >= 1;
  return v[1] >= 33;
}

export function natBehaviour(calicoVersion: string): NatBehaviour {
  const v = parseCalicoVersion(calicoVersion) ?? [3, 30, 0];
  const fixed = lbFix(v);
  const auto = atLeast(v, 32);
  return {
    allPoolsSet: fixed ? 'cali40network-ip-pools' : 'cali40all-ipam-pools',
    loadBalancerOnlyPoolsExempt: !fixed,
    natOutgoingExclusions: atLeast(v, 31),
    nftablesModes: auto ? ['Enabled', 'Disabled', 'Auto'] : ['Enabled', 'Disabled'],
    nftablesDefault: auto ? 'Auto' : 'Disabled',
  };
}

/** v3.30 behaviour: what callers that know no version get. */
export const DEFAULT_NAT_BEHAVIOUR: NatBehaviour = natBehaviour(DEFAULT_CALICO_VERSION);

/**
 * Whether Felix programs nftables rather than iptables. Auto follows kube-proxy's mode
 * (felix/dataplane/driver.go NFTablesEnabled); the lab runs no kube-proxy and stands for one in
 * iptables mode, so Auto means iptables. A value Felix's parser refuses ("Auto" before v3.32)
 * is logged by Felix and the default used instead.
 */
export function effectiveNftables(
  mode: NftablesMode | undefined,
  calicoVersion: string,
): { nftables: boolean; mode: NftablesMode; refusedByFelix: boolean } {
  const b = natBehaviour(calicoVersion);
  const refusedByFelix = mode !== undefined && !b.nftablesModes.includes(mode);
  const used = mode === undefined || refusedByFelix ? b.nftablesDefault : mode;
  return { nftables: used === 'Enabled', mode: used, refusedByFelix };
}
