// kube-proxy's nftables mode as data: the one table `ip kube-proxy` the proxier owns (kubernetes
// pkg/proxy/nftables/proxier.go, the layout of v1.31-v1.33, which Calico's
// felix/nftables/table.go lists beside its own chains), with its base chains, verdict maps,
// sets and per-Service chains. Rendered to `nft -f` text by render-kube-proxy-nft.ts.

/** A base chain's hook: type, hook and numeric priority (dstnat is -100, srcnat 100). */
export interface KpBaseHook {
  type: 'filter' | 'nat';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  priority: number;
}

export type KpMatch =
  | { kind: 'ctNew' } // ct state new
  | { kind: 'addr'; dir: 'saddr' | 'daddr'; cidr: string; negate?: boolean } // ip saddr [!=] X
  | { kind: 'addrIn'; dir: 'daddr'; cidrs: string[] } // ip daddr { A, B }
  | { kind: 'addrSet'; dir: 'saddr' | 'daddr'; set: string } // ip saddr @set
  | { kind: 'dport'; proto: 'tcp' | 'udp'; port: number } // tcp dport 80
  | { kind: 'fibSaddrLocal' } // fib saddr type local
  | { kind: 'markUnset'; mark: string }; // mark and 0x4000 == 0

/** The key of a verdict-map lookup: daddr . l4proto . dport, or (node ports) l4proto . dport. */
export type KpVmapKey = 'ip' | 'port';

export type KpAction =
  | { kind: 'jump' | 'goto'; target: string }
  | { kind: 'vmap'; key: KpVmapKey; map: string }
  /** numgen random mod n vmap { 0 : goto A , 1 : goto B }: one endpoint chain at random. */
  | { kind: 'numgen'; targets: string[] }
  | { kind: 'markOr' | 'markXor'; mark: string }
  | { kind: 'masquerade' } // masquerade fully-random
  | { kind: 'return' | 'reject' | 'drop' }
  | { kind: 'dnat'; proto: 'tcp' | 'udp'; to: string } // meta l4proto tcp dnat to ip:port
  | { kind: 'updateAffinity'; set: string }; // update @set { ip saddr }

export interface KpRule {
  match: KpMatch[];
  action: KpAction;
  comment?: string;
}

export interface KpChain {
  name: string;
  base?: KpBaseHook;
  comment?: string;
  rules: KpRule[];
}

/** A map element's verdict: goto a chain, or drop (no local endpoints). */
export type KpVerdict = { kind: 'goto'; target: string } | { kind: 'drop' };

export interface KpMapElement {
  /** [address, proto, port] for address maps, [proto, port] for node-port maps. */
  key: string[];
  verdict: KpVerdict;
  comment?: string;
}

export interface KpMap {
  name: string;
  key: KpVmapKey;
  comment: string;
  elements: KpMapElement[];
}

export interface KpSet {
  name: string;
  comment?: string;
  /** ClientIP affinity sets: `flags dynamic,timeout; timeout Ns`. */
  timeoutSeconds?: number;
  elements: string[];
}

/** Table `ip kube-proxy` of one node. */
export interface KubeProxyNft {
  sets: KpSet[];
  maps: KpMap[];
  /** Base chains first (in kube-proxy's nftablesBaseChains order), then the regular chains. */
  chains: KpChain[];
}
