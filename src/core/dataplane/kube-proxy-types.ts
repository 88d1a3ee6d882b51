// kube-proxy's nat rules (iptables mode) as data, the way kube-proxy writes them
// (kubernetes pkg/proxy/iptables/proxier.go syncProxyRules): each match in kube-proxy's own
// argument order, so the restore text is kube-proxy's and the save text is the kernel's view.

export type KubeMatch =
  | { kind: 'comment'; text: string }
  | { kind: 'l4'; proto: 'tcp' | 'udp' } // "-m tcp -p tcp"
  | { kind: 'src'; cidr: string; negate?: boolean }
  | { kind: 'dst'; cidr: string; negate?: boolean }
  | { kind: 'dport'; port: number }
  | { kind: 'mark'; mark: string; negate?: boolean } // "-m mark [!] --mark 0x4000/0x4000"
  | { kind: 'addrtype'; dir: 'src' | 'dst'; type: 'LOCAL' }
  | { kind: 'statistic'; probability: string } // "%0.10f" of 1/n, as kube-proxy prints it
  | { kind: 'recentSet'; name: string }
  | { kind: 'recentCheck'; name: string; seconds: number }
  /** -m conntrack [!] --ctstate A,B (the filter table's KUBE-FORWARD, KUBE-FIREWALL, hooks). */
  | { kind: 'ctstate'; states: string[]; negate?: boolean };

export type KubeAction =
  | { kind: 'jump'; target: string }
  | { kind: 'return' }
  | { kind: 'dnat'; to: string } // "ip:port"
  | { kind: 'markOr'; mark: string }
  | { kind: 'markXor'; mark: string }
  | { kind: 'masquerade'; randomFully: boolean }
  /** The filter table's verdicts (kube-proxy-filter.ts); REJECT is icmp-port-unreachable. */
  | { kind: 'reject' }
  | { kind: 'drop' }
  | { kind: 'accept' };

export interface KubeRule {
  chain: string;
  match: KubeMatch[];
  action: KubeAction;
}

/** kube-proxy's part of a node's nat table. */
export interface KubeProxyNat {
  /** Chains kube-proxy owns, declared (created or flushed) in this order. */
  chains: string[];
  /** Their rules, in kube-proxy's write order (the order within a chain is the kernel's). */
  rules: KubeRule[];
  /** Its jumps from kernel chains (PREROUTING, OUTPUT, POSTROUTING), after Calico's hooks. */
  hooks: KubeRule[];
  /** Its filter table (plan/kube-proxy-filter.ts): chains, rules, INPUT/FORWARD/OUTPUT jumps. */
  filter?: { chains: string[]; rules: KubeRule[]; hooks: KubeRule[] };
}
