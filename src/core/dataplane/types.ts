// Desired dataplane of a node as data, in the spirit of Felix's generictables:
// rules are values (match criteria + action), rendered to iptables text elsewhere,
// so the same data drives rendering, hashing, explain and diffs.
import type { RouteSpec } from '../plan/types.js';

export interface IpSet {
  name: string; // e.g. "cali40masq-ipam-pools"
  type: 'hash:net' | 'hash:ip';
  family: 'inet' | 'inet6';
  members: string[]; // sorted CIDRs
}

/** One match criterion, rendered in the order given (as Felix's MatchCriteria). */
export type MatchCriterion =
  | { kind: 'srcSet'; set: string; negate?: boolean }
  | { kind: 'dstSet'; set: string; negate?: boolean }
  | { kind: 'outInterface'; name: string; negate?: boolean };

export type Action =
  | { kind: 'jump'; target: string }
  | { kind: 'return' }
  | { kind: 'masquerade'; randomFully: boolean; toPorts?: string }
  | { kind: 'snat'; toSource: string; randomFully: boolean };

export interface Rule {
  match: MatchCriterion[];
  action: Action;
  /** Extra comments after the cali: hash comment. */
  comments?: string[];
}

export interface Chain {
  name: string;
  rules: Rule[];
}

/** Rules Felix appends to a kernel chain it does not own (e.g. POSTROUTING). */
export interface ChainAppend {
  chain: string;
  rules: Rule[];
}

export interface NatTable {
  chains: Chain[]; // cali- chains Felix owns
  appends: ChainAppend[];
}

export interface BirdPeer {
  name: string; // BIRD protocol name, e.g. "Mesh_172_30_0_12", "Global_172_30_0_1"
  neighbor: string;
  asNumber: number;
  passive: boolean;
  kind: 'mesh' | 'global' | 'node';
}

export interface BirdConfigData {
  routerId: string;
  asNumber: number;
  exportedBlocks: string[]; // local affine blocks BIRD announces (and blackholes)
  rejectedExports: string[]; // pools with disableBGPExport
  peers: BirdPeer[];
}

export interface NodeDataplane {
  ipsets: IpSet[];
  nat: NatTable;
  routes: RouteSpec[];
  bird: BirdConfigData;
}
